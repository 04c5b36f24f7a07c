/* RFC 3339 timestamps in UTC (spec section 5) and sp_time arithmetic. */
#include <stdio.h>
#include <string.h>

#include "splinter/splinter.h"

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Reads n digits at s; returns the value or -1 when one is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int sp_time_parse(const char *s, size_t len, sp_time *out)
{
    if (!s || !out || len < 20)
        return SP_ERR_INVALID_ARGUMENT;
    if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':')
        return SP_ERR_INVALID_ARGUMENT;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
        h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
        return SP_ERR_INVALID_ARGUMENT;
    if (se == 60 && (h != 23 || mi != 59)) /* SP-5-e */
        return SP_ERR_INVALID_ARGUMENT;
    size_t i = 19;
    uint32_t nsec = 0;
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        size_t nd = i - start;
        if (nd < 1 || nd > 9) /* SP-5-c */
            return SP_ERR_INVALID_ARGUMENT;
        for (size_t k = 0; k < 9; k++)
            nsec = nsec * 10 + (uint32_t)(k < nd ? s[start + k] - '0' : 0);
    }
    size_t rest = len - i;
    if (!((rest == 1 && (s[i] == 'Z' || s[i] == 'z')) ||
          (rest == 6 && memcmp(s + i, "+00:00", 6) == 0))) /* SP-5-b */
        return SP_ERR_INVALID_ARGUMENT;
    out->sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    out->nsec = nsec;
    return 0;
}

int sp_time_format(const sp_time *t, unsigned ndigits, char *buf, size_t cap)
{
    /* 0000-01-01 and 9999-12-31T23:59:59 in seconds since the epoch. */
    static const int64_t min_sec = -62167219200LL, max_sec = 253402300799LL;
    if (!t || !buf || ndigits > 9 || t->nsec > 999999999u ||
        t->sec < min_sec || t->sec > max_sec)
        return SP_ERR_INVALID_ARGUMENT;
    int64_t days = t->sec / 86400, rem = t->sec % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    char tmp[40];
    int n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d", (int)y,
                     m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
                     (int)(rem % 60));
    if (ndigits > 0) {
        char frac[10];
        snprintf(frac, sizeof frac, "%09u", (unsigned)t->nsec);
        tmp[n++] = '.';
        memcpy(tmp + n, frac, ndigits);
        n += (int)ndigits;
    }
    tmp[n++] = 'Z';
    tmp[n] = '\0';
    if ((size_t)n + 1 > cap)
        return SP_ERR_NO_SPACE;
    memcpy(buf, tmp, (size_t)n + 1);
    return n;
}

int sp_time_cmp(const sp_time *a, const sp_time *b)
{
    if (a->sec != b->sec)
        return a->sec < b->sec ? -1 : 1;
    if (a->nsec != b->nsec)
        return a->nsec < b->nsec ? -1 : 1;
    return 0;
}

sp_time sp_time_add_ms(const sp_time *t, uint64_t ms)
{
    sp_time r;
    uint64_t ns = (uint64_t)t->nsec + (ms % 1000u) * 1000000u;
    r.sec = t->sec + (int64_t)(ms / 1000u) + (int64_t)(ns / 1000000000u);
    r.nsec = (uint32_t)(ns % 1000000000u);
    return r;
}
