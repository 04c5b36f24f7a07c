/* The in-memory vector set, and the generator's own check of every intent
 * against libtamtam before anything is written. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ttj.h"
#include "vectors.h"

void vset_init(vset *v, tt_crc crc)
{
    memset(v, 0, sizeof *v);
    v->crc = crc;
}

void item_free(item *it)
{
    free(it->bytes);
    free(it->want_payload);
    memset(it, 0, sizeof *it);
}

void vset_free(vset *v)
{
    for (size_t i = 0; i < v->nf; i++)
        item_free(&v->f[i].it);
    for (size_t i = 0; i < v->ns; i++) {
        svec *s = &v->s[i];
        for (size_t k = 0; k < s->nframes; k++)
            item_free(&s->frames[k]);
        free(s->frames);
        free(s->bytes);
        free(s->chunks);
    }
    free(v->f);
    free(v->s);
    memset(v, 0, sizeof *v);
}

void vec_describe(char *desc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(desc, VEC_DESC_MAX, fmt, ap);
    va_end(ap);
}

/* Appends a zeroed element of `size` bytes to *arr (n used, cap allocated).
 * Returns it, or NULL when out of memory. */
static void *grow(void *arr, size_t *n, size_t *cap, size_t size)
{
    void **a = arr;
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        void *p = realloc(*a, c * size);
        if (!p)
            return NULL;
        *a = p;
        *cap = c;
    }
    char *e = (char *)*a + (*n)++ * size;
    memset(e, 0, size);
    return e;
}

fvec *vset_add_frame(vset *v, item *it, int valid_under, const char *reqs,
                     const char *id_fmt, ...)
{
    fvec *f = grow(&v->f, &v->nf, &v->capf, sizeof *f);
    if (!f)
        return NULL;
    va_list ap;
    va_start(ap, id_fmt);
    vsnprintf(f->id, sizeof f->id, id_fmt, ap);
    va_end(ap);
    snprintf(f->reqs, sizeof f->reqs, "%s", reqs);
    f->it = *it;
    f->valid_under = valid_under;
    memset(it, 0, sizeof *it);
    return f;
}

svec *vset_add_stream(vset *v, const char *id_fmt, ...)
{
    svec *s = grow(&v->s, &v->ns, &v->caps, sizeof *s);
    if (!s)
        return NULL;
    va_list ap;
    va_start(ap, id_fmt);
    vsnprintf(s->id, sizeof s->id, id_fmt, ap);
    va_end(ap);
    return s;
}

bool item_is_info(const item *it)
{
    return it->expect == 0 && (!tt_class_is_assigned(it->want.cls) ||
                               !tt_direction_is_assigned(it->want.direction));
}

static size_t check_frame(const vset *v, const fvec *f)
{
    tt_crc crc = f->valid_under >= 0 ? (tt_crc)f->valid_under : v->crc;
    tt_frame got;
    int r = tt_decode(f->it.bytes, f->it.len, crc, &got);
    size_t bad = 0;
    if (f->it.expect != 0) {
        if (r != f->it.expect) {
            fprintf(stderr, "%s: intended %s, libtamtam says %s\n", f->id,
                    tt_error_name(f->it.expect),
                    r > 0 ? "valid" : tt_error_name(r));
            bad++;
        }
    } else if (r <= 0 || (size_t)r > f->it.len) {
        fprintf(stderr, "%s: intended valid, libtamtam says %s\n", f->id,
                tt_error_name(r));
        bad++;
    } else {
        const char *field = ttj_frame_diff(&got, &f->it.want, true);
        if (field) {
            fprintf(stderr, "%s: decoded %s differs from the intent\n", f->id,
                    field);
            bad++;
        }
    }
    if (f->valid_under >= 0) {
        r = tt_decode(f->it.bytes, f->it.len, v->crc, &got);
        if (r != TT_ERR_CRC_MISMATCH) {
            fprintf(stderr, "%s: not a crc_mismatch under the set's CRC\n",
                    f->id);
            bad++;
        }
    }
    return bad;
}

static size_t check_stream(const vset *v, const svec *s)
{
    static tt_stream st; /* 8 KiB buffer: keep it off the stack */
    tt_stream_init(&st, v->crc);
    size_t pos = 0, k = 0, offset = 0, bad = 0;
    for (size_t c = 0; c < s->nchunks; c++) {
        const uint8_t *p = s->bytes + pos;
        size_t left = s->chunks[c];
        pos += s->chunks[c];
        tt_stream_event ev;
        while (tt_stream_next(&st, &p, &left, &ev) > 0) {
            if (k == s->nframes) {
                fprintf(stderr, "%s: an event beyond the intended ones\n",
                        s->id);
                return bad + 1;
            }
            const item *it = &s->frames[k];
            if (ev.offset != offset || ev.status != it->expect ||
                (it->expect == 0 &&
                 ttj_frame_diff(&ev.frame, &it->want, true))) {
                fprintf(stderr, "%s: event %zu differs from the intent\n",
                        s->id, k);
                bad++;
            }
            offset += it->len;
            k++;
        }
    }
    if (pos != s->len || k != s->nframes ||
        tt_stream_pending(&st) != s->pending) {
        fprintf(stderr, "%s: %zu of %zu events, %zu pending (intended %zu)\n",
                s->id, k, s->nframes, tt_stream_pending(&st), s->pending);
        bad++;
    }
    return bad;
}

size_t vset_check(const vset *v)
{
    size_t bad = 0;
    for (size_t i = 0; i < v->nf; i++)
        bad += check_frame(v, &v->f[i]);
    for (size_t i = 0; i < v->ns; i++)
        bad += check_stream(v, &v->s[i]);
    return bad;
}
