/* String processing over generated text (about 1 MB of words made from
 * syllables): tokenizing with strtok-free scanning, reversing words, counting
 * palindromes, case-mapping, substring search with strstr and memchr, and
 * word-by-word comparison with strcmp/strncmp.
 *   strings [SCALE]   (SCALE = workload in percent, default 100) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_SIZE (1u << 20)

static const char *const syllables[] = {"ka", "lo", "mi", "ne", "su", "ta", "ri", "po",
                                        "el", "an", "or", "is", "ve", "du", "ba", "xe"};

static uint32_t rng_state = 1u;

static uint32_t rng(void) {
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 16;
}

static void generate(char *text, uint32_t size) {
    uint32_t pos = 0;
    while (pos + 32 < size) {
        int n = 1 + (int)(rng() % 4);
        for (int i = 0; i < n; i++) {
            const char *s = syllables[rng() % 16];
            text[pos++] = s[0];
            text[pos++] = s[1];
        }
        uint32_t r = rng() % 16;
        text[pos++] = r == 0 ? '.' : r == 1 ? ',' : r == 2 ? '\n' : ' ';
        if (r < 2)
            text[pos++] = ' ';
    }
    text[pos] = '\0';
}

static int is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void reverse(char *s, size_t n) {
    for (size_t i = 0, j = n - 1; i < j && j < n; i++, j--) {
        char t = s[i];
        s[i] = s[j];
        s[j] = t;
    }
}

/* One pass: tokenize, count palindromes and words equal to their predecessor,
 * reverse every word in place, and flip case of words starting with a vowel. */
static uint32_t process(char *text, uint32_t *words) {
    uint32_t hash = 2166136261u, palindromes = 0, repeats = 0;
    char prev[16] = "";
    char *p = text;
    while (*p) {
        while (*p && !is_letter(*p))
            p++;
        char *start = p;
        while (is_letter(*p))
            p++;
        size_t len = (size_t)(p - start);
        if (len == 0)
            break;
        (*words)++;
        int pal = 1;
        for (size_t i = 0; i < len / 2; i++)
            pal &= start[i] == start[len - 1 - i];
        palindromes += (uint32_t)pal;
        if (len < sizeof prev) {
            if (strncmp(prev, start, len) == 0 && prev[len] == '\0')
                repeats++;
            memcpy(prev, start, len);
            prev[len] = '\0';
        }
        reverse(start, len);
        if (strchr("aeiouAEIOU", start[0]))
            for (size_t i = 0; i < len; i++)
                start[i] ^= 0x20;
        for (size_t i = 0; i < len; i++)
            hash = (hash ^ (uint8_t)start[i]) * 16777619u;
    }
    return hash ^ palindromes * 0x9e3779b1u ^ repeats;
}

static uint32_t search(const char *text) {
    static const char *const needles[] = {"kaka", "lomi ne", "ISrO", "sutari", "ba, ", "xexexe"};
    uint32_t found = 0;
    for (int k = 0; k < 6; k++) {
        const char *p = text;
        while ((p = strstr(p, needles[k])) != NULL) {
            found += (uint32_t)(p - text) & 0xff;
            p++;
        }
    }
    uint32_t lines = 0;
    const char *q = text;
    size_t len = strlen(text);
    while ((q = memchr(q, '\n', len - (size_t)(q - text))) != NULL) {
        lines++;
        q++;
    }
    return found * 31 + lines;
}

/* Workload size for SCALE percent of the full size `full` (at least 1). */
static uint32_t scaled(double scale, double full) {
    double n = scale * full / 100.0;
    return n < 1.0 ? 1u : (uint32_t)n;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 100.0;
    int reps = (int)scaled(scale, 194);
    char *text = malloc(TEXT_SIZE);
    if (!text)
        return 1;
    generate(text, TEXT_SIZE);
    uint32_t checksum = 0, words = 0;
    for (int r = 0; r < reps; r++) {
        checksum = checksum * 31 + process(text, &words);
        checksum = checksum * 31 + search(text);
    }
    printf("strings: reps=%d words=%u length=%u checksum=%08x\n", reps, words,
           (uint32_t)strlen(text), checksum);
    free(text);
    return 0;
}
