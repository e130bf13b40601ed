/* The cache codec's encoder for extract.c's records (see codec.h); each step names its twin in cache-codec.ts. */
#include "codec.h"

#include <stdlib.h>
#include <string.h>

enum { T_UNDEF, T_NULL, T_FALSE, T_TRUE, T_UINT, T_NEG, T_F64, T_STR, T_ARR, T_OBJ, T_UINTS, T_BYTES };

static bool grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return true;
#ifdef DSM_TIGHT_BUFFERS
  size_t c = need; /* the AddressSanitizer check: every growth moves the block (see extract.c) */
#else
  size_t c = *cap ? *cap : 64;
  while (c < need) c *= 2;
#endif
  void *q = realloc(*p, c * size);
  if (!q) return false;
  *p = q;
  *cap = c;
  return true;
}

void bytes_append(Bytes *b, const void *p, size_t n) {
  if (b->failed || !n) return;
  if (!grow((void **)&b->p, &b->cap, b->n + n, 1)) {
    b->failed = true;
    return;
  }
  memcpy(b->p + b->n, p, n);
  b->n += n;
}

static void bytes_put(Bytes *b, uint8_t v) { bytes_append(b, &v, 1); }

/* Writer.uint */
void bytes_uint(Bytes *b, uint64_t v) {
  uint8_t tmp[10];
  size_t n = 0;
  while (v >= 0x80) {
    tmp[n++] = (uint8_t)((v & 0x7f) | 0x80);
    v >>= 7;
  }
  tmp[n++] = (uint8_t)v;
  bytes_append(b, tmp, n);
}

static uint32_t hash16(const char16_t *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 16777619u;
  return h ^ (uint32_t)n;
}

/* The string's index in the table, entered at the end when new (the `strings` Map of encodeValue). */
static uint32_t intern(CodecBlob *b, const char16_t *s, size_t n) {
  if (b->failed) return 0;
  if ((b->nstr + 1) * 2 > b->nslots) {
    size_t ns = b->nslots ? b->nslots * 2 : 256;
    uint32_t *slots = calloc(ns, sizeof(uint32_t));
    if (!slots) {
      b->failed = true;
      return 0;
    }
    for (size_t i = 0; i < b->nstr; i++) {
      size_t k = hash16(b->chars + b->strs[2 * i], b->strs[2 * i + 1]) & (ns - 1);
      while (slots[k]) k = (k + 1) & (ns - 1);
      slots[k] = (uint32_t)i + 1;
    }
    free(b->slots);
    b->slots = slots;
    b->nslots = ns;
  }
  size_t k = hash16(s, n) & (b->nslots - 1);
  for (; b->slots[k]; k = (k + 1) & (b->nslots - 1)) {
    uint32_t i = b->slots[k] - 1;
    if (b->strs[2 * i + 1] == n && memcmp(b->chars + b->strs[2 * i], s, n * sizeof(char16_t)) == 0) return i;
  }
  if (!grow((void **)&b->chars, &b->capchars, b->nchars + n, sizeof(char16_t)) ||
      !grow((void **)&b->strs, &b->capstr, 2 * (b->nstr + 1), sizeof(uint32_t))) {
    b->failed = true;
    return 0;
  }
  if (n) memcpy(b->chars + b->nchars, s, n * sizeof(char16_t));
  b->strs[2 * b->nstr] = (uint32_t)b->nchars;
  b->strs[2 * b->nstr + 1] = (uint32_t)n;
  b->nchars += n;
  b->slots[k] = (uint32_t)b->nstr + 1;
  return (uint32_t)b->nstr++;
}

static uint32_t intern_ascii(CodecBlob *b, const char *key) {
  char16_t tmp[64];
  size_t n = strlen(key);
  if (n > 64) n = 64;
  for (size_t i = 0; i < n; i++) tmp[i] = (unsigned char)key[i];
  return intern(b, tmp, n);
}

void codec_str(CodecBlob *b, const char16_t *s, size_t n) {
  bytes_put(&b->body, T_STR);
  bytes_uint(&b->body, intern(b, s, n));
}

void codec_int(CodecBlob *b, int64_t v) {
  if (v >= 0) {
    bytes_put(&b->body, T_UINT);
    bytes_uint(&b->body, (uint64_t)v);
  } else {
    bytes_put(&b->body, T_NEG);
    bytes_uint(&b->body, (uint64_t)(-v));
  }
}

/* val(), case 'number': Number.isSafeInteger decides. */
void codec_number(CodecBlob *b, double v) {
  const double max = 9007199254740991.0;
  if (v >= -max && v <= max && (double)(int64_t)v == v) {
    codec_int(b, (int64_t)v);
    return;
  }
  bytes_put(&b->body, T_F64);
  bytes_append(&b->body, &v, 8); /* Float64Array bytes: the machine's order, as in JS */
}

void codec_true(CodecBlob *b) { bytes_put(&b->body, T_TRUE); }

void codec_array(CodecBlob *b, size_t n) {
  bytes_put(&b->body, T_ARR);
  bytes_uint(&b->body, n);
}

void codec_bytes(CodecBlob *b, const uint8_t *p, size_t n) {
  bytes_put(&b->body, T_BYTES);
  bytes_uint(&b->body, n);
  bytes_append(&b->body, p, n);
}

/* val(), case 'object': the shape's id, registered with its keys on first use in this blob. */
void codec_object(CodecBlob *b, const char *const *keys, uint32_t nkeys, uint32_t mask) {
  size_t id = 0;
  while (id < b->nshapes && !(b->shapes[id].keys == keys && b->shapes[id].mask == mask)) id++;
  if (id == b->nshapes) {
    if (!grow((void **)&b->shapes, &b->capshapes, b->nshapes + 1, sizeof(CodecShape)) ||
        !grow((void **)&b->shapekeys, &b->capshapekeys, b->nshapekeys + nkeys, sizeof(uint32_t))) {
      b->failed = true;
      return;
    }
    CodecShape *s = &b->shapes[b->nshapes++];
    s->keys = keys;
    s->mask = mask;
    s->first_key = (uint32_t)b->nshapekeys;
    s->nkeys = 0;
    for (uint32_t k = 0; k < nkeys; k++) {
      if (!(mask & (1u << k))) continue;
      b->shapekeys[b->nshapekeys++] = intern_ascii(b, keys[k]);
      s->nkeys++;
    }
  }
  bytes_put(&b->body, T_OBJ);
  bytes_uint(&b->body, id);
}

/* TextEncoder over the joined table: surrogate pairs as 4 bytes (also across two strings), lone ones as U+FFFD. */
static void utf8_table(Bytes *out, const char16_t *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint32_t c = s[i];
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && s[i + 1] >= 0xdc00 && s[i + 1] <= 0xdfff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s[i + 1] - 0xdc00);
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      c = 0xfffd;
    }
    uint8_t u[4];
    size_t k;
    if (c < 0x80) u[0] = (uint8_t)c, k = 1;
    else if (c < 0x800) u[0] = (uint8_t)(0xc0 | (c >> 6)), u[1] = (uint8_t)(0x80 | (c & 0x3f)), k = 2;
    else if (c < 0x10000) u[0] = (uint8_t)(0xe0 | (c >> 12)), u[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f)), u[2] = (uint8_t)(0x80 | (c & 0x3f)), k = 3;
    else u[0] = (uint8_t)(0xf0 | (c >> 18)), u[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f)), u[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f)), u[3] = (uint8_t)(0x80 | (c & 0x3f)), k = 4;
    bytes_append(out, u, k);
  }
}

bool codec_finish(CodecBlob *b, Bytes *out) {
  bool ok = !b->failed && !b->body.failed;
  if (ok) {
    Bytes table = {0};
    utf8_table(&table, b->chars, b->nchars);
    bytes_uint(out, b->nstr);
    bytes_uint(out, table.n);
    bytes_append(out, table.p, table.n);
    for (size_t i = 0; i < b->nstr; i++) bytes_uint(out, b->strs[2 * i + 1]);
    bytes_uint(out, b->nshapes);
    for (size_t i = 0; i < b->nshapes; i++) {
      bytes_uint(out, b->shapes[i].nkeys);
      for (uint32_t k = 0; k < b->shapes[i].nkeys; k++) bytes_uint(out, b->shapekeys[b->shapes[i].first_key + k]);
    }
    bytes_append(out, b->body.p, b->body.n);
    ok = !table.failed && !out->failed;
    free(table.p);
  }
  free(b->chars);
  free(b->strs);
  free(b->slots);
  free(b->shapes);
  free(b->shapekeys);
  free(b->body.p);
  memset(b, 0, sizeof *b);
  return ok;
}
