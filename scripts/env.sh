# Sourced by the scripts: the toolchain snags from shared/TOOLCHAIN.md, handled here and nowhere else.
export NODE_PATH=/usr/share/nodejs          # em++ -O1+ needs acorn from Debian's node modules
unset EM_CACHE                              # Debian's frozen, prebuilt cache is the one to use
JOBS=${JOBS:-$(nproc)}
