/* What the runner tells people and CI systems: the progress line and case
 * blocks on stdout, the --json report and the --junit report. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

void tr_verbose(const tr_progress *p, const char *fmt, ...)
{
    if (!p->verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

static void clear_line(tr_progress *p)
{
    if (p->tty)
        fputs("\r\033[K", stdout);
}

static void print_reqs(const char *reqs)
{
    if (!*reqs)
        return;
    fputs("  [", stdout);
    for (const char *r = reqs; *r; r++)
        fputs(*r == ',' ? ", " : (char[2]){*r, 0}, stdout);
    fputs("]", stdout);
}

/* The detail, each line indented under the verdict. */
static void print_detail(const char *d)
{
    while (d && *d) {
        size_t n = strcspn(d, "\n");
        printf("      %.*s\n", (int)n, d);
        d += n + (d[n] == '\n');
    }
}

void tr_progress_case(tr_progress *p, const tr_case *c)
{
    p->done++;
    if (c->verdict == TR_FAIL)
        p->failed++;
    bool show = p->verbose || c->verdict == TR_FAIL;
    if (show || c->verdict == TR_EXPECTED_FAIL) {
        clear_line(p);
        printf("%-13s %s", tr_verdict_name(c->verdict), c->id);
        if (show) {
            print_reqs(c->reqs);
            printf("  (%.1f ms)\n", c->ms);
            print_detail(c->detail);
        } else {
            printf("\n");
        }
    }
    if (p->tty) {
        printf("\r\033[K[%zu/%zu] %zu failed  %.60s", p->done, p->total,
               p->failed, c->id);
    }
    fflush(stdout);
}

void tr_progress_end(tr_progress *p)
{
    clear_line(p);
    fflush(stdout);
}

void tr_case_done(tr_run *r, tr_case *c, tr_verdict v, char *detail,
                  int64_t started_us)
{
    free(c->detail);
    c->detail = detail ? detail : tr_xstrdup("");
    tr_sanitize(c->detail);
    c->verdict = v;
    c->ms = (double)(tr_now_us() - started_us) / 1000.0;
    if (r->kf)
        tr_kf_apply(r->kf, c);
    tr_progress_case(r->progress, c);
}

void tr_summarize(const tr_cases *cs, tr_summary *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < cs->n; i++) {
        switch (cs->c[i].verdict) {
        case TR_PASS: s->pass++; break;
        case TR_FAIL: s->fail++; break;
        case TR_INFO: s->info++; break;
        case TR_UNSUPPORTED: s->unsupported++; break;
        case TR_EXPECTED_FAIL: s->expected_fail++; break;
        case TR_NOT_RUN: s->not_run++; break;
        }
    }
}

static cJSON *reqs_array(const char *reqs)
{
    cJSON *a = cJSON_CreateArray();
    while (a && *reqs) {
        size_t n = strcspn(reqs, ",");
        char id[128];
        snprintf(id, sizeof id, "%.*s", (int)n, reqs);
        cJSON_AddItemToArray(a, cJSON_CreateString(id));
        reqs += n + (reqs[n] == ',');
    }
    return a;
}

cJSON *tr_summary_json(const tr_cases *cs)
{
    tr_summary s;
    tr_summarize(cs, &s);
    cJSON *sum = cJSON_CreateObject();
    cJSON_AddNumberToObject(sum, "pass", (double)s.pass);
    cJSON_AddNumberToObject(sum, "fail", (double)s.fail);
    cJSON_AddNumberToObject(sum, "info", (double)s.info);
    cJSON_AddNumberToObject(sum, "unsupported", (double)s.unsupported);
    cJSON_AddNumberToObject(sum, "expected_fail", (double)s.expected_fail);
    return sum;
}

cJSON *tr_case_json(const tr_case *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", c->id);
    cJSON_AddItemToObject(o, "requirements", reqs_array(c->reqs));
    /* The protocol of the suite that owns it (the harness's own checks,
     * interop and fuzz cells have none). */
    if (c->suite && c->suite->protocol)
        cJSON_AddStringToObject(o, "protocol", c->suite->protocol);
    cJSON_AddStringToObject(o, "verdict", tr_verdict_name(c->verdict));
    cJSON_AddStringToObject(o, "detail", c->detail ? c->detail : "");
    cJSON_AddNumberToObject(o, "duration_ms", c->ms);
    return o;
}

int tr_write_doc(const char *path, cJSON *doc)
{
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    if (!text) {
        fprintf(stderr, "tamtam-run: out of memory writing %s\n", path);
        return -1;
    }
    size_t n = strlen(text);
    char *withnl = tr_xmalloc(n + 2);
    snprintf(withnl, n + 2, "%s\n", text);
    cJSON_free(text);
    int r = tr_write_file(path, withnl, n + 1);
    free(withnl);
    return r;
}

int tr_write_json(const char *path, const tr_cases *cs, const cJSON *impl)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "runner_version", TR_VERSION);
    cJSON_AddItemToObject(doc, "implementation",
                          impl ? cJSON_Duplicate(impl, true)
                               : cJSON_CreateObject());
    cJSON_AddItemToObject(doc, "summary", tr_summary_json(cs));
    cJSON *arr = cJSON_AddArrayToObject(doc, "cases");
    for (size_t i = 0; i < cs->n; i++)
        if (cs->c[i].verdict != TR_NOT_RUN)
            cJSON_AddItemToArray(arr, tr_case_json(&cs->c[i]));
    return tr_write_doc(path, doc);
}

/* XML text with the five special characters escaped and every byte XML 1.0
 * cannot carry replaced. */
static void xml_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        switch (ch) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            fputc((ch < 0x20 && ch != '\n' && ch != '\t') || ch > 0x7E ? '?'
                                                                         : ch,
                  f);
        }
    }
}

/* The JUnit suite a case belongs to: "codec", "harness", "wire.tcp", ... */
static size_t suite_key(const char *id)
{
    size_t n = strcspn(id, ".");
    if (!strncmp(id, "wire.", 5) && id[n] == '.')
        n += 1 + strcspn(id + n + 1, ".");
    return n;
}

static void junit_case(FILE *f, const tr_case *c)
{
    fprintf(f, "    <testcase classname=\"tamtam.%.*s\" name=\"",
            (int)suite_key(c->id), c->id);
    xml_text(f, c->id);
    fprintf(f, "\" time=\"%.3f\"", c->ms / 1000.0);
    char first[200];
    snprintf(first, sizeof first, "%.*s", (int)strcspn(c->detail, "\n"),
             c->detail);
    switch (c->verdict) {
    case TR_FAIL:
        fputs(">\n      <failure type=\"FAIL\" message=\"", f);
        xml_text(f, first);
        fputs("\">", f);
        xml_text(f, c->detail);
        fputs("</failure>\n    </testcase>\n", f);
        return;
    case TR_UNSUPPORTED:
    case TR_EXPECTED_FAIL:
        fputs(">\n      <skipped message=\"", f);
        xml_text(f, c->verdict == TR_UNSUPPORTED ? "unsupported: "
                                                 : "expected failure: ");
        xml_text(f, first);
        fputs("\"/>\n", f);
        if (*c->detail) {
            fputs("      <system-out>", f);
            xml_text(f, c->detail);
            fputs("</system-out>\n", f);
        }
        fputs("    </testcase>\n", f);
        return;
    case TR_INFO:
        fputs(">\n      <system-out>INFO: ", f);
        xml_text(f, c->detail);
        fputs("</system-out>\n    </testcase>\n", f);
        return;
    default:
        fputs("/>\n", f);
    }
}

int tr_write_junit(const char *path, const tr_cases *cs, double total_ms)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "tamtam-run: cannot write %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    tr_summary s;
    tr_summarize(cs, &s);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f,
            "<testsuites name=\"tamtam-run\" tests=\"%zu\" failures=\"%zu\" "
            "errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
            s.pass + s.fail + s.info + s.unsupported + s.expected_fail, s.fail,
            s.unsupported + s.expected_fail, total_ms / 1000.0);
    for (size_t i = 0; i < cs->n;) {
        if (cs->c[i].verdict == TR_NOT_RUN) {
            i++;
            continue;
        }
        size_t klen = suite_key(cs->c[i].id);
        size_t j = i, tests = 0, fails = 0, skips = 0;
        double ms = 0;
        for (; j < cs->n && suite_key(cs->c[j].id) == klen &&
               !strncmp(cs->c[j].id, cs->c[i].id, klen);
             j++) {
            const tr_case *c = &cs->c[j];
            if (c->verdict == TR_NOT_RUN)
                continue;
            tests++;
            fails += c->verdict == TR_FAIL;
            skips += c->verdict == TR_UNSUPPORTED ||
                     c->verdict == TR_EXPECTED_FAIL;
            ms += c->ms;
        }
        fprintf(f,
                "  <testsuite name=\"%.*s\" tests=\"%zu\" failures=\"%zu\" "
                "errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
                (int)klen, cs->c[i].id, tests, fails, skips, ms / 1000.0);
        for (size_t k = i; k < j; k++)
            if (cs->c[k].verdict != TR_NOT_RUN)
                junit_case(f, &cs->c[k]);
        fputs("  </testsuite>\n", f);
        i = j;
    }
    fputs("</testsuites>\n", f);
    if (fclose(f) != 0) {
        fprintf(stderr, "tamtam-run: cannot write %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    return 0;
}
