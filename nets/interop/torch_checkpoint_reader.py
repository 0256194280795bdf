# Reads a checkpoint that PyTorch's torch.save wrote (r9y9/wavenet_vocoder's train.py: a dict with
# "state_dict", "optimizer", "global_step", ...; or a bare state dict) and writes its weights as a
# plain dict LibTorch's pickle_load can read (it cannot read the OrderedDict of a state dict):
#   {"state_dict": {name: float32 tensor}, "global_step": int}
# Run by `wavenet import` (built into the program) as: python3 -c SCRIPT IN OUT
import sys


def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(2)


def main(source, destination):
    try:
        import torch
    except ImportError:
        fail("reading a PyTorch checkpoint needs Python's torch (Debian: apt-get install python3-torch)")
    try:
        checkpoint = torch.load(source, map_location="cpu")
    except Exception as error:  # any reason torch cannot read it is the file's problem
        fail("%s: not a PyTorch checkpoint torch.load can read (%s: %s)" % (source, type(error).__name__, error))
    if isinstance(checkpoint, dict) and "state_dict" in checkpoint:
        state, step = checkpoint["state_dict"], checkpoint.get("global_step", 0)
    elif isinstance(checkpoint, dict) and checkpoint and all(torch.is_tensor(v) for v in checkpoint.values()):
        state, step = checkpoint, 0
    else:
        fail("%s: holds no state_dict (a dict with 'state_dict', or a state dict itself)" % source)
    weights = {}
    for name, value in state.items():
        if not torch.is_tensor(value):
            fail("%s: state_dict entry '%s' is not a tensor" % (source, name))
        weights[str(name)] = value.detach().to(torch.float32).contiguous().clone()
    torch.save({"state_dict": weights, "global_step": int(step or 0)}, destination)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        fail("usage: python3 -c SCRIPT CHECKPOINT OUT")
    main(sys.argv[1], sys.argv[2])
