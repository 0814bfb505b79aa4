/* libFuzzer harness: the exporter's request parser (collect/col_http.h), which reads
 * whatever a network client sends. The input is the bytes received so far, not
 * NUL-terminated (as the exporter hands them over); every prefix is parsed too,
 * since the server parses after each recv, and a verdict, once given, must not
 * change with more bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "collect/col_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so ASan catches a read one byte past the buffer. */
    char *buf = malloc(size ? size : 1);
    for (size_t i = 0; i < size; i++)
        buf[i] = (char)data[i];
    struct col_http_req rq, first = {.verdict = COL_HTTP_MORE};
    size_t cap = 8191;
    for (size_t n = 0; n <= size; n += 1 + n / 8) {
        enum col_http_verdict v = col_http_parse(buf, n, cap, &rq);
        if (v != rq.verdict || (v == COL_HTTP_TOOBIG && n < cap))
            abort();
        if (first.verdict != COL_HTTP_MORE && v != first.verdict)
            abort(); /* the head ended earlier: later bytes cannot change the answer */
        if (first.verdict == COL_HTTP_MORE)
            first = rq;
    }
    free(buf);
    return 0;
}
