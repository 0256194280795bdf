# Sourced by setup.sh: `register_python_module BUILD_DIR` makes `import wavenet` find the module
# built in BUILD_DIR/python, the way `pip install -e` does: a wavenet-build-tree.pth naming that
# directory in the site-packages of the interpreter the module is built for (WAVENET_PYTHON,
# Debian's python3) and of the python3 PATH finds first when it is another interpreter of the
# same ABI (e.g. pyenv's). `cmake --install` installs a copy instead. The import is then checked
# from outside the source tree: it must work for the module's own interpreter; for the other one
# a failure is reported and setup goes on.
register_python_module() {
  local build_dir=$1 module_dir primary interpreter suffix site seen=""
  module_dir="$(cd "$build_dir/python" && pwd)"
  primary="$(sed -n 's/^WAVENET_PYTHON:FILEPATH=//p' "$build_dir/CMakeCache.txt")"
  for interpreter in "$primary" "$(command -v python3 || true)"; do
    [ -n "$interpreter" ] && [ -x "$interpreter" ] || continue
    case " $seen " in *" $interpreter "*) continue ;; esac
    seen="$seen $interpreter"
    if ! suffix="$("$interpreter" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))' 2>/dev/null)"; then
      echo "setup: $interpreter does not run; skipped"
      continue
    fi
    if ! ls "$module_dir"/wavenet"$suffix" >/dev/null 2>&1; then
      echo "setup: $interpreter is another Python ABI ($suffix); use $primary for the wavenet module"
      continue
    fi
    site="$("$interpreter" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null || true)"
    if [ -z "$site" ] || ! { mkdir -p "$site" && echo "$module_dir" > "$site/wavenet-build-tree.pth"; } 2>/dev/null; then
      echo "setup: cannot write to ${site:-its site-packages}; use PYTHONPATH=$module_dir with $interpreter"
    elif (cd / && "$interpreter" -c 'import wavenet'); then
      echo "setup: python module importable by $interpreter ($site/wavenet-build-tree.pth)"
    elif [ "$interpreter" = "$primary" ]; then
      echo "setup: $interpreter cannot import the wavenet module built for it" >&2
      return 1
    else
      echo "setup: $interpreter cannot import wavenet (see above); use $primary"
    fi
  done
}
