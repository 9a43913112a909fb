// runtime-wasm/src/alloc_wasm.cpp: the memory allocator and the memory
// primitives of wasm32 modules (only compiled for wasm; native builds use
// the system's).
//
// Why not wasi-libc's: its dlmalloc is ~3.7 KB of every module after gzip,
// nearly a tenth of the 40 KB budget, and its memcpy/memmove/memset are
// unrolled loops. Here:
//  * a segregated-fit allocator: size classes of 16 bytes up to 1 KB, then
//    four classes per power of two (at most 25% rounding); a free list per
//    class; new blocks are cut from the top of the heap, which grows the
//    wasm memory as needed, by at least an eighth each time. Blocks are not split or coalesced: a block freed
//    in one class serves later requests of that class (CRDT state grows by
//    similar objects; vectors that double reuse their class's blocks).
//    Every block starts with an 8-byte header: its class and the distance
//    to the pointer handed out (8, or more for over-aligned requests).
//  * memcpy, memmove and memset as the bulk-memory instructions
//    memory.copy / memory.fill (this file is compiled with -mbulk-memory;
//    Node and current browsers all have them).
// Single-threaded, like everything in a module.
#if defined(__wasm__)

#include <stddef.h>
#include <stdint.h>

extern "C" unsigned char __heap_base;

namespace {

constexpr size_t kHeader = 8;
constexpr uint32_t kSmallClasses = 64;                    // 16, 32, ... 1024 bytes
constexpr uint32_t kClasses = kSmallClasses + 4 * 22;     // up to 4 GiB
constexpr size_t kPage = 65536;

void* free_lists[kClasses];
uintptr_t heap_top = 0, heap_end = 0;

size_t class_size(uint32_t c) {
  if (c < kSmallClasses) return (static_cast<size_t>(c) + 1) * 16;
  uint32_t k = c - kSmallClasses;
  size_t base = size_t{1024} << (k / 4);
  return base + (base / 4) * (k % 4 + 1);
}

uint32_t class_of(size_t n) {
  if (n <= 1024) return n == 0 ? 0 : static_cast<uint32_t>((n - 1) / 16);
  uint32_t c = kSmallClasses;
  while (c < kClasses && class_size(c) < n) ++c;
  return c;
}

struct Header {
  uint32_t size_class;
  uint32_t offset;  // from the block's start to the user pointer
};

Header* header_of(void* p) { return reinterpret_cast<Header*>(static_cast<unsigned char*>(p) - kHeader); }

// A block of class `c` (kHeader + class_size(c) bytes), or null.
unsigned char* take_block(uint32_t c) {
  if (c >= kClasses) return nullptr;
  if (void* b = free_lists[c]) {
    free_lists[c] = *static_cast<void**>(b);
    return static_cast<unsigned char*>(b);
  }
  if (!heap_top) {
    heap_top = (reinterpret_cast<uintptr_t>(&__heap_base) + 7) & ~uintptr_t{7};
    heap_end = __builtin_wasm_memory_size(0) * kPage;
  }
  size_t need = kHeader + class_size(c);
  if (need > SIZE_MAX - heap_top) return nullptr;
  if (heap_top + need > heap_end) {
    size_t pages = (heap_top + need - heap_end + kPage - 1) / kPage;
    // Grow by at least an eighth of what the memory has (at most 12.5%
    // unused): each memory.grow hands V8 a new ArrayBuffer and counts as
    // external allocation, and growing a page or two at a time made it
    // run full garbage collections again and again once documents were
    // large (the automerge-paper trace took 3.5 s instead of 0.3 s in a
    // process that kept three such documents open).
    size_t have = heap_end / kPage;
    if (pages < have / 8) pages = have / 8;
    if (__builtin_wasm_memory_grow(0, pages) == SIZE_MAX) return nullptr;
    heap_end += pages * kPage;
  }
  unsigned char* b = reinterpret_cast<unsigned char*>(heap_top);
  heap_top += need;
  return b;
}

void* allocate(size_t n, size_t align) {
  if (n > (size_t{1} << 31)) return nullptr;
  size_t extra = align > kHeader ? align : 0;
  uint32_t c = class_of(n + extra);
  unsigned char* b = take_block(c);
  if (!b) return nullptr;
  uintptr_t user = reinterpret_cast<uintptr_t>(b) + kHeader;
  if (extra) user = (user + align - 1) & ~(static_cast<uintptr_t>(align) - 1);
  void* p = reinterpret_cast<void*>(user);
  *header_of(p) = Header{c, static_cast<uint32_t>(user - reinterpret_cast<uintptr_t>(b))};
  return p;
}

size_t usable(void* p) {
  const Header* h = header_of(p);
  return class_size(h->size_class) - (h->offset - kHeader);
}

}  // namespace

extern "C" {

void* memcpy(void* __restrict dst, const void* __restrict src, size_t n) {
  __builtin_memcpy(dst, src, n);
  return dst;
}
void* memmove(void* dst, const void* src, size_t n) {
  __builtin_memmove(dst, src, n);
  return dst;
}
void* memset(void* dst, int c, size_t n) {
  __builtin_memset(dst, c, n);
  return dst;
}

void* malloc(size_t n) { return allocate(n, kHeader); }

void free(void* p) {
  if (!p) return;
  Header h = *header_of(p);
  void* block = static_cast<unsigned char*>(p) - h.offset;
  *static_cast<void**>(block) = free_lists[h.size_class];
  free_lists[h.size_class] = block;
}

void* calloc(size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) return nullptr;
  void* p = malloc(count * size);
  if (p) memset(p, 0, count * size);  // reused blocks hold old bytes
  return p;
}

void* realloc(void* p, size_t n) {
  if (!p) return malloc(n);
  size_t have = usable(p);
  if (n <= have) return p;
  void* q = malloc(n);
  if (!q) return nullptr;
  memcpy(q, p, have);
  free(p);
  return q;
}

void* aligned_alloc(size_t align, size_t n) { return allocate(n, align); }

int posix_memalign(void** out, size_t align, size_t n) {
  void* p = allocate(n, align);
  if (!p) return 12;  // ENOMEM
  *out = p;
  return 0;
}

size_t malloc_usable_size(void* p) { return p ? usable(p) : 0; }

// wasi-libc's internal names for the same functions (its other objects call them).
void* __libc_malloc(size_t n) { return malloc(n); }
void __libc_free(void* p) { free(p); }
void* __libc_calloc(size_t count, size_t size) { return calloc(count, size); }

}  // extern "C"

#endif  // __wasm__
