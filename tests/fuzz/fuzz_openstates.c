/* Fuzzes the openstates reader with the input as a person file:
 *  - on success, every string is valid UTF-8 and not NULL, id and name are
 *    there, the lists respect their limits, the current party and role and
 *    the homepage are the ones the rules in openstates.h pick (computed again
 *    here), the state, place and county are those of the jurisdiction, and a
 *    second parse gives the same person;
 *  - on failure, the person is cleared, the message is there and names a line
 *    of the input when it names one, and a smaller error buffer gets the same
 *    message cut short.
 */
#include <string.h>

#include "fuzz.h"
#include "openstates.h"

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
static bool utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        size_t n;
        unsigned min, cp;
        if (c < 0x80) {
            p++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1, min = 0x80, cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2, min = 0x800, cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3, min = 0x10000, cp = c & 0x07;
        } else {
            return false;
        }
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (p[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += n + 1;
    }
    return true;
}

static bool same(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

/* Every string of a person, in a fixed order, for checking and comparing. */
typedef struct texts {
    const char **v;
    size_t n;
} texts;

static void add(texts *t, const char *s)
{
    t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
    t->v[t->n++] = s;
}

static texts person_texts(const os_person *p)
{
    texts t = {0};
    const char *top[] = {p->id,      p->name,    p->given_name, p->family_name, p->middle_name, p->suffix,
                         p->gender,  p->email,   p->biography,  p->birth_date,  p->death_date,  p->image,
                         p->twitter, p->youtube, p->instagram,  p->facebook,    p->homepage};
    for (size_t i = 0; i < CT_ARRAY_LEN(top); i++)
        add(&t, top[i]);
    for (size_t i = 0; i < p->nparties; i++) {
        add(&t, p->parties[i].name);
        add(&t, p->parties[i].start_date);
        add(&t, p->parties[i].end_date);
    }
    for (size_t i = 0; i < p->nroles; i++) {
        const os_role *r = &p->roles[i];
        const char *f[] = {r->type,       r->district, r->jurisdiction, r->start_date, r->end_date,
                           r->end_reason, r->state,    r->place,        r->county};
        for (size_t k = 0; k < CT_ARRAY_LEN(f); k++)
            add(&t, f[k]);
    }
    for (size_t i = 0; i < p->noffices; i++) {
        const os_office *o = &p->offices[i];
        const char *f[] = {o->classification, o->address, o->voice, o->fax, o->name};
        for (size_t k = 0; k < CT_ARRAY_LEN(f); k++)
            add(&t, f[k]);
    }
    for (size_t i = 0; i < p->nlinks; i++) {
        add(&t, p->links[i].url);
        add(&t, p->links[i].note);
    }
    return t;
}

/* The current role by the rules in openstates.h. */
static const os_role *ref_role(const os_person *p)
{
    for (size_t i = 0; i < p->nroles; i++) {
        const char *t = p->roles[i].type;
        if (!*p->roles[i].end_date && (same(t, "upper") || same(t, "lower") || same(t, "legislature")))
            return &p->roles[i];
    }
    for (size_t i = 0; i < p->nroles; i++)
        if (!*p->roles[i].end_date)
            return &p->roles[i];
    const os_role *best = NULL;
    for (size_t i = 0; i < p->nroles; i++)
        if (!best || strcmp(p->roles[i].end_date, best->end_date) > 0)
            best = &p->roles[i];
    return best;
}

static void check_person(const os_person *p, size_t size, arena *a)
{
    FUZZ_CHECK(p->id && *p->id && p->name && *p->name);
    FUZZ_CHECK(p->nparties <= OS_MAX_ITEMS && (p->nparties == 0) == (p->parties == NULL));
    FUZZ_CHECK(p->nroles <= OS_MAX_ITEMS && (p->nroles == 0) == (p->roles == NULL));
    FUZZ_CHECK(p->noffices <= OS_MAX_ITEMS && (p->noffices == 0) == (p->offices == NULL));
    FUZZ_CHECK(p->nlinks <= OS_MAX_ITEMS && (p->nlinks == 0) == (p->links == NULL));

    texts t = person_texts(p);
    size_t total = 0;
    for (size_t i = 0; i < t.n; i++) {
        FUZZ_CHECK(t.v[i] != NULL);
        FUZZ_CHECK(utf8_ok(t.v[i]));
        total += strlen(t.v[i]);
    }
    free(t.v);
    /* Each scalar is kept once, and decoding shrinks text but for the
     * escapes \L and \P (three bytes for two); the homepage is a url again,
     * place and county are parts of the jurisdiction, a state code costs two
     * bytes per role. */
    FUZZ_CHECK(total <= 4 * size + 2);
    for (size_t i = 0; i < p->nroles; i++) {
        const os_role *r = &p->roles[i];
        FUZZ_CHECK(!*r->state || (strlen(r->state) == 2 && r->state[0] >= 'A' && r->state[0] <= 'Z' &&
                                  r->state[1] >= 'A' && r->state[1] <= 'Z'));
        const char *st, *pl, *co;
        openstates_jurisdiction(r->jurisdiction, a, &st, &pl, &co);
        FUZZ_CHECK(same(st, r->state) && same(pl, r->place) && same(co, r->county));
        FUZZ_CHECK(strlen(r->place) + strlen(r->county) <= strlen(r->jurisdiction));
    }

    const os_party *party = NULL;
    for (size_t i = 0; i < p->nparties && !party; i++)
        if (!*p->parties[i].end_date)
            party = &p->parties[i];
    if (!party && p->nparties)
        party = &p->parties[p->nparties - 1];
    FUZZ_CHECK(p->party == party);
    FUZZ_CHECK(p->role == ref_role(p));

    const char *home = "";
    for (size_t i = 0; i < p->nlinks; i++) {
        if (same(p->links[i].note, "homepage")) {
            home = p->links[i].url;
            break;
        }
    }
    FUZZ_CHECK(p->homepage == home || (!*home && same(p->homepage, "")));
}

/* The last line of the input that holds anything but line breaks, counting
 * lines as libyaml does (CRLF, LF, CR, U+0085, U+2028 and U+2029 end one). */
static size_t last_line(const uint8_t *data, size_t size)
{
    size_t line = 1, last = 1;
    for (size_t i = 0; i < size; i++) {
        size_t k = 0;
        if (data[i] == '\r')
            k = i + 1 < size && data[i + 1] == '\n' ? 2 : 1;
        else if (data[i] == '\n')
            k = 1;
        else if (data[i] == 0xC2 && i + 1 < size && data[i + 1] == 0x85)
            k = 2;
        else if (data[i] == 0xE2 && i + 2 < size && data[i + 1] == 0x80 && (data[i + 2] == 0xA8 || data[i + 2] == 0xA9))
            k = 3;
        if (k) {
            line++;
            i += k - 1;
        } else {
            last = line;
        }
    }
    return last;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    os_person p;
    char err[300];
    int rc = openstates_parse((const char *)data, size, a, &p, err, sizeof err);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        FUZZ_CHECK(err[0] == '\0');
        check_person(&p, size, a);
        /* The same again, in another arena. */
        arena *b = arena_new();
        os_person q;
        FUZZ_CHECK(openstates_parse((const char *)data, size, b, &q, NULL, 0) == 0);
        texts tp = person_texts(&p), tq = person_texts(&q);
        FUZZ_CHECK(tp.n == tq.n && q.nparties == p.nparties && q.nroles == p.nroles && q.noffices == p.noffices &&
                   q.nlinks == p.nlinks);
        for (size_t i = 0; i < tp.n; i++)
            FUZZ_CHECK(same(tp.v[i], tq.v[i]));
        free(tp.v);
        free(tq.v);
        FUZZ_CHECK((p.role ? p.role - p.roles : -1) == (q.role ? q.role - q.roles : -1));
        FUZZ_CHECK((p.party ? p.party - p.parties : -1) == (q.party ? q.party - q.parties : -1));
        arena_free(b);
    } else {
        os_person zero;
        memset(&zero, 0, sizeof zero);
        FUZZ_CHECK(memcmp(&p, &zero, sizeof p) == 0);
        FUZZ_CHECK(err[0] != '\0' && strlen(err) < sizeof err - 1);
        size_t line = 0;
        if (sscanf(err, "line %zu:", &line) == 1)
            FUZZ_CHECK(line >= 1 && line <= last_line(data, size));
        /* A smaller buffer gets the same message, cut short. */
        char small[17];
        size_t n = size ? 1 + data[0] % sizeof small : sizeof small;
        FUZZ_CHECK(openstates_parse((const char *)data, size, a, &p, small, n) == -1);
        FUZZ_CHECK(strlen(small) < n && strncmp(small, err, strlen(small)) == 0 &&
                   strlen(small) == (strlen(err) < n - 1 ? strlen(err) : n - 1));
    }
    arena_free(a);
    return 0;
}
