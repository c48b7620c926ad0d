# Included by the top-level Makefile: the userland tools in build/bin/.
