/*
 * The cache codec's encoder (src/index/cache-codec.ts, encodeValue) in C, for the records extract.c builds:
 * the same bytes for the same values. A blob is a string table (in first-use order, UTF-8, with each
 * string's UTF-16 length), a shape table (each object's defined keys, in first-use order) and the value.
 * The caller writes values depth first, as encodeValue walks them; an object's shape is registered (and its
 * keys entered in the string table) before its values, as encodeValue does.
 */
#ifndef DSM_CODEC_H
#define DSM_CODEC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uchar.h>

typedef struct {
  uint8_t *p;
  size_t n, cap;
  bool failed;
} Bytes;

void bytes_append(Bytes *b, const void *p, size_t n);
/* A varint (7 bits a byte, low first), as the codec's Writer.uint and packUints write it. */
void bytes_uint(Bytes *b, uint64_t v);

typedef struct {
  const char *const *keys; /* the record type's keys, in its object literal's order */
  uint32_t mask;           /* the keys this shape has (bit i: keys[i]) */
  uint32_t first_key;      /* index in the blob's key indexes */
  uint32_t nkeys;
} CodecShape;

typedef struct {
  char16_t *chars; /* the strings, concatenated in table order */
  size_t nchars, capchars;
  uint32_t *strs; /* per string: its start in chars, its length */
  size_t nstr, capstr;
  uint32_t *slots; /* hash table: string index + 1 */
  size_t nslots;
  CodecShape *shapes;
  size_t nshapes, capshapes;
  uint32_t *shapekeys; /* string indexes of every shape's keys */
  size_t nshapekeys, capshapekeys;
  Bytes body;
  bool failed;
} CodecBlob;

void codec_str(CodecBlob *b, const char16_t *s, size_t n);
void codec_int(CodecBlob *b, int64_t v);
/* A JS number: a safe integer as uint or negative int, anything else as float64. */
void codec_number(CodecBlob *b, double v);
void codec_true(CodecBlob *b);
void codec_array(CodecBlob *b, size_t n);
void codec_bytes(CodecBlob *b, const uint8_t *p, size_t n);
/* An object with the keys of `keys` whose bit is set in mask (at most 32); its values follow, in key order. */
void codec_object(CodecBlob *b, const char *const *keys, uint32_t nkeys, uint32_t mask);
/* Appends the blob (head, then body) to out and frees b; false when something ran out of memory. */
bool codec_finish(CodecBlob *b, Bytes *out);

#endif
