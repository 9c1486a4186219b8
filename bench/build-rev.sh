# Sourced by the before/after benchmarks: the cdcscope binary of another commit, built once in a git
# worktree under /tmp (a few minutes the first time).
#   build_rev REV    sets rev_binary to its build/app/cdcscope
build_rev() {
  local tree
  tree=/tmp/cdcscope-ab-$(git rev-parse --short "$1")
  if [ ! -x "$tree/build/app/cdcscope" ]; then
    rm -rf "$tree"
    git worktree add -f -q "$tree" "$1"
    cmake -S "$tree" -B "$tree/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCDCSCOPE_BUILD_TESTS=OFF \
      -DCDCSCOPE_BUILD_BENCH=OFF >/dev/null
    cmake --build "$tree/build" -j 2 --target cdcscope >/dev/null
  fi
  rev_binary=$tree/build/app/cdcscope
}
