# Sourced by setup.sh: `register_python_module BUILD_DIR` makes `import wavenet` find the module
# built in BUILD_DIR/python, the way `pip install -e` does: a wavenet-build-tree.pth naming that
# directory in the site-packages of Debian's python3 and of the python3 PATH finds first (when it
# is another interpreter of the same ABI, e.g. pyenv's). `cmake --install` installs a copy
# instead. Then checks the import from outside the source tree.
register_python_module() {
  local module_dir interpreter suffix site seen=""
  module_dir="$(cd "$1/python" && pwd)"
  for interpreter in /usr/bin/python3 "$(command -v python3 || true)"; do
    [ -x "$interpreter" ] || continue
    case " $seen " in *" $interpreter "*) continue ;; esac
    seen="$seen $interpreter"
    suffix="$("$interpreter" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')"
    if ! ls "$module_dir"/wavenet"$suffix" >/dev/null 2>&1; then
      echo "setup: $interpreter is another Python ABI ($suffix); use /usr/bin/python3 for the wavenet module"
      continue
    fi
    site="$("$interpreter" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    if mkdir -p "$site" 2>/dev/null && echo "$module_dir" > "$site/wavenet-build-tree.pth" 2>/dev/null; then
      (cd / && "$interpreter" -c 'import wavenet') || { echo "setup: $interpreter cannot import wavenet" >&2; return 1; }
      echo "setup: python module importable by $interpreter ($site/wavenet-build-tree.pth)"
    else
      echo "setup: cannot write to $site; use PYTHONPATH=$module_dir"
    fi
  done
}
