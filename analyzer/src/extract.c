/* Packet records for -w (see extract.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"

struct an_pktrec {
    an_pktrec *next;
    uint64_t start, end;
    struct pcap_pkthdr h;
    bool written;
    uint8_t data[];
};

bool an_pktlog_add(an_pktlog *l, uint64_t start, uint64_t end,
                   const struct pcap_pkthdr *h, const uint8_t *data,
                   uint64_t max, uint64_t *mem)
{
    uint64_t sz = sizeof(an_pktrec) + h->caplen;
    if (end <= l->trimmed)
        return true;
    if (l->bytes + sz > (end > l->hi ? max : max - max / 4))
        return false;
    an_pktrec *r = malloc(sz);
    if (!r)
        return false;
    r->next = NULL;
    r->start = start;
    r->end = end;
    r->h = *h;
    r->written = false;
    memcpy(r->data, data, h->caplen);
    if (l->tail)
        l->tail->next = r;
    else
        l->head = r;
    l->tail = r;
    l->bytes += sz;
    if (end > l->hi)
        l->hi = end;
    *mem += sz;
    return true;
}

void an_pktlog_write(an_pktlog *l, uint64_t off, uint64_t len,
                     pcap_dumper_t *d)
{
    for (an_pktrec *r = l->head; r; r = r->next) {
        if (!r->written && r->start < off + len && r->end > off) {
            pcap_dump((u_char *)d, &r->h, r->data);
            r->written = true;
        }
    }
}

void an_pktlog_trim(an_pktlog *l, uint64_t upto, uint64_t *mem)
{
    if (upto == l->trimmed)
        return;
    l->trimmed = upto;
    an_pktrec **pp = &l->head, *last = NULL;
    while (*pp) {
        an_pktrec *r = *pp;
        if (r->end <= upto) {
            *pp = r->next;
            l->bytes -= sizeof *r + r->h.caplen;
            *mem -= sizeof *r + r->h.caplen;
            free(r);
        } else {
            last = r;
            pp = &r->next;
        }
    }
    l->tail = last;
}

void an_pktlog_free(an_pktlog *l, uint64_t *mem)
{
    while (l->head) {
        an_pktrec *r = l->head;
        l->head = r->next;
        *mem -= sizeof *r + r->h.caplen;
        free(r);
    }
    l->tail = NULL;
    l->bytes = 0;
    l->trimmed = 0;
    l->hi = 0;
}
