/* tile.h - the REPRODUCIBLE tile, the one constant every part of the
 * library that cuts lanes agrees on (engine.h says what it means; the
 * kernels are fastest for segments of exactly this length, and the chunk
 * plan hands out whole tiles). */
#ifndef PSCAN_TILE_H
#define PSCAN_TILE_H

enum { PSCAN_TILE = 4096 };

_Static_assert((PSCAN_TILE & (PSCAN_TILE - 1)) == 0, "tiles are a power of two");
_Static_assert(PSCAN_TILE % 64 == 0, "a tile is whole vectors of every ISA's widest lanes");

#endif
