# Sourced by the scripts: the toolchain facts of docs/toolchain.md that the shell needs, handled here only.
export NODE_PATH=/usr/share/nodejs          # em++ -O1+ needs acorn from Debian's node modules
unset EM_CACHE                              # Debian's frozen, prebuilt cache is the one to use
JOBS=${JOBS:-$(nproc)}
