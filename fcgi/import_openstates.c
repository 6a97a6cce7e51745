/* import_openstates: one Open States person as a candidate contact. */
#include "import_openstates.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *code, *name;
} states[] = {
    {"AL", "Alabama"},        {"AK", "Alaska"},         {"AZ", "Arizona"},       {"AR", "Arkansas"},
    {"CA", "California"},     {"CO", "Colorado"},       {"CT", "Connecticut"},   {"DE", "Delaware"},
    {"DC", "District of Columbia"}, {"FL", "Florida"},  {"GA", "Georgia"},       {"HI", "Hawaii"},
    {"ID", "Idaho"},          {"IL", "Illinois"},       {"IN", "Indiana"},       {"IA", "Iowa"},
    {"KS", "Kansas"},         {"KY", "Kentucky"},       {"LA", "Louisiana"},     {"ME", "Maine"},
    {"MD", "Maryland"},       {"MA", "Massachusetts"},  {"MI", "Michigan"},      {"MN", "Minnesota"},
    {"MS", "Mississippi"},    {"MO", "Missouri"},       {"MT", "Montana"},       {"NE", "Nebraska"},
    {"NV", "Nevada"},         {"NH", "New Hampshire"},  {"NJ", "New Jersey"},    {"NM", "New Mexico"},
    {"NY", "New York"},       {"NC", "North Carolina"}, {"ND", "North Dakota"},  {"OH", "Ohio"},
    {"OK", "Oklahoma"},       {"OR", "Oregon"},         {"PA", "Pennsylvania"},  {"RI", "Rhode Island"},
    {"SC", "South Carolina"}, {"SD", "South Dakota"},   {"TN", "Tennessee"},     {"TX", "Texas"},
    {"UT", "Utah"},           {"VT", "Vermont"},        {"VA", "Virginia"},      {"WA", "Washington"},
    {"WV", "West Virginia"},  {"WI", "Wisconsin"},      {"WY", "Wyoming"},       {"AS", "American Samoa"},
    {"GU", "Guam"},           {"MP", "Northern Mariana Islands"}, {"PR", "Puerto Rico"},
    {"VI", "U.S. Virgin Islands"},
};

const char *import_state_name(const char *code)
{
    for (size_t i = 0; i < CT_ARRAY_LEN(states); i++)
        if (strcmp(states[i].code, code) == 0)
            return states[i].name;
    return NULL;
}

/* A district or place name as a code part: letters and digits upper-cased,
 * every other run of characters one '-'; at most SLUG_MAX characters (a
 * longer one ends in a hash of the whole, so two names never share one). */
#define SLUG_MAX 28
static void slug(const char *s, char *out, size_t cap)
{
    const char *whole = s;
    size_t o = 0;
    bool dash = false;
    for (; *s && o + 2 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum) {
            dash = o > 0;
            continue;
        }
        if (dash)
            out[o++] = '-';
        dash = false;
        out[o++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    out[o] = '\0';
    if (o > SLUG_MAX) {
        unsigned h = 2166136261u;
        for (const char *c = whole; *c; c++)
            h = (h ^ (unsigned char)*c) * 16777619u;
        snprintf(out + SLUG_MAX - 6, cap - (SLUG_MAX - 6), "-%05X", h & 0xFFFFF);
    }
}

/* "los_angeles" as "Los Angeles". */
static void place_name(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    bool start = true;
    for (; *s && o + 1 < cap; s++) {
        char c = *s == '_' || *s == '-' ? ' ' : *s;
        out[o++] = start && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
        start = c == ' ';
    }
    out[o] = '\0';
}

/* A sort key part: digits zero-padded to 4 so that 9 comes before 10. */
static void sort_part(const char *s, char *out, size_t cap)
{
    char tmp[SLUG_MAX + 8];
    slug(s, tmp, sizeof tmp);
    size_t digits = strspn(tmp, "0123456789"), o = 0;
    if (digits && digits < 4 && tmp[digits] == '\0')
        for (; o < 4 - digits && o + 1 < cap; o++)
            out[o] = '0';
    size_t n = strlen(tmp);
    if (n > cap - o - 1)
        n = cap - o - 1;
    memcpy(out + o, tmp, n);
    out[o + n] = '\0';
}

/* What a role is called on the contact ("upper" is a state senator). */
static const char *role_title(const char *type, char *tmp, size_t cap)
{
    if (strcmp(type, "upper") == 0)
        return "State Senator";
    if (strcmp(type, "lower") == 0)
        return "State Representative";
    if (strcmp(type, "legislature") == 0)
        return "Legislator";
    if (strcmp(type, "lt_governor") == 0)
        return "Lieutenant Governor";
    place_name(type, tmp, cap);
    return tmp;
}

/* Reads "..., City, ST 12345" off the end of a one-line US address into
 * its parts; false when it does not end so (the whole stays the street). */
static bool split_address(const char *s, arena *a, const char **street, const char **city, const char **st,
                          const char **zip)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == ','))
        n--;
    size_t e = n;
    while (e && ((s[e - 1] >= '0' && s[e - 1] <= '9') || s[e - 1] == '-'))
        e--;
    size_t zl = n - e;
    if (zl != 5 && zl != 10)
        return false;
    size_t z = e;
    while (e && s[e - 1] == ' ')
        e--;
    if (e < 2 || !(s[e - 1] >= 'A' && s[e - 1] <= 'Z') || !(s[e - 2] >= 'A' && s[e - 2] <= 'Z') ||
        (e > 2 && s[e - 3] != ' ' && s[e - 3] != ','))
        return false;
    size_t stp = e - 2;
    size_t c = stp;
    while (c && (s[c - 1] == ' ' || s[c - 1] == ','))
        c--;
    size_t cb = c;
    while (cb && s[cb - 1] != ',')
        cb--;
    if (cb == 0)
        return false; /* no street before the city */
    size_t cs = cb;
    while (cs < c && s[cs] == ' ')
        cs++;
    size_t se = cb - 1;
    while (se && s[se - 1] == ' ')
        se--;
    *street = arena_strndup(a, s, se);
    *city = arena_strndup(a, s + cs, c - cs);
    *st = arena_strndup(a, s + stp, 2);
    *zip = arena_strndup(a, s + z, zl);
    return **street && **city;
}

/* The data set's fields are untidy in places (an email with a trailing
 * dot, a web address with a space): a value that fails the checks is left
 * out with a warning, and the person is still imported. The name and the
 * id are not optional. */
static void set(import_row *row, arena *a, const char *column, enum contact_field f, const char *s)
{
    if (!s || !*s)
        return;
    if (f == CF_FIRST_NAME || f == CF_LAST_NAME || f == CF_EXTERNAL_ID)
        import_row_set(row, a, column, f, s, strlen(s));
    else
        import_row_offer(row, a, column, f, s, strlen(s));
}

void import_openstates_row(const os_person *p, arena *a, import_row *row, import_region *state,
                           import_region *below)
{
    memset(state, 0, sizeof *state);
    memset(below, 0, sizeof *below);
    set(row, a, "id", CF_EXTERNAL_ID, p->id);
    if (p->given_name[0] || p->family_name[0]) {
        set(row, a, "given_name", CF_FIRST_NAME, p->given_name);
        set(row, a, "family_name", CF_LAST_NAME, p->family_name);
    } else {
        /* Only the whole name: its last word is the last name. */
        const char *sp = strrchr(p->name, ' ');
        if (sp) {
            import_row_set(row, a, "name", CF_FIRST_NAME, p->name, (size_t)(sp - p->name));
            set(row, a, "name", CF_LAST_NAME, sp + 1);
        } else {
            set(row, a, "name", CF_LAST_NAME, p->name);
        }
    }
    set(row, a, "middle_name", CF_MIDDLE_NAME, p->middle_name);
    set(row, a, "suffix", CF_SUFFIX, p->suffix);
    if (p->email[0])
        import_row_offer_channel(row, a, true, "email", p->email, strlen(p->email), "work");
    if (p->party)
        set(row, a, "party", CF_PARTY, p->party->name);
    if (p->birth_date[0]) {
        if (strlen(p->birth_date) == 10)
            set(row, a, "birth_date", CF_BIRTHDAY, p->birth_date);
        else
            import_row_warn(row, a, "birth_date",
                            arena_printf(a, "\"%.20s\" is not a whole date: not imported", p->birth_date));
    }
    const char *web = p->homepage[0] ? p->homepage : p->nlinks ? p->links[0].url : "";
    set(row, a, "links", CF_WEBSITE, web);
    /* The offices: the first address is the contact's, the others go into
     * the notes; every phone and fax is kept. */
    buf notes = {0};
    bool have_address = false;
    for (size_t i = 0; i < p->noffices; i++) {
        const os_office *o = &p->offices[i];
        if (o->address[0] && !have_address) {
            const char *street, *city, *st, *zip;
            if (split_address(o->address, a, &street, &city, &st, &zip)) {
                set(row, a, "offices", CF_ADDRESS, street);
                set(row, a, "offices", CF_CITY, city);
                set(row, a, "offices", CF_ADDRESS_REGION, st);
                set(row, a, "offices", CF_POSTAL_CODE, zip);
            } else {
                set(row, a, "offices", CF_ADDRESS, o->address);
            }
            set(row, a, "offices", CF_COUNTRY, "United States");
            have_address = true;
        } else if (o->address[0]) {
            buf_printf(&notes, "%s%s office: %s", notes.len ? "\n" : "",
                       o->name[0] ? o->name : o->classification[0] ? o->classification : "Other", o->address);
        }
        if (o->voice[0])
            import_row_offer_channel(row, a, false, "offices", o->voice, strlen(o->voice), "work");
        if (o->fax[0])
            import_row_offer_channel(row, a, false, "offices", o->fax, strlen(o->fax), "work,fax");
    }
    if (notes.len)
        import_row_offer(row, a, "offices", CF_NOTES, notes.data, notes.len);
    buf_free(&notes);
    import_row_tag(row, a, "openstates");
    const os_role *r = p->role;
    if (!r) {
        import_row_warn(row, a, "roles", "has no role: no region");
        return;
    }
    char title[80];
    set(row, a, "roles", CF_TITLE, role_title(r->type, title, sizeof title));
    import_row_tag(row, a, strcmp(r->type, "upper") == 0 || strcmp(r->type, "lower") == 0 ||
                                   strcmp(r->type, "legislature") == 0
                               ? "legislator"
                           : strcmp(r->type, "mayor") == 0 ? "mayor"
                                                           : "executive");
    const char *sname = r->state[0] ? import_state_name(r->state) : NULL;
    if (!sname) {
        import_row_warn(row, a, "roles", arena_printf(a, "the jurisdiction %.80s names no known state: no region",
                                                      r->jurisdiction));
        return;
    }
    snprintf(state->code, sizeof state->code, "US-%s", r->state);
    snprintf(state->name, sizeof state->name, "%s", sname);
    snprintf(state->kind, sizeof state->kind, "state");
    snprintf(state->sort, sizeof state->sort, "US/%s", r->state);
    char part[SLUG_MAX + 8], sortp[SLUG_MAX + 8];
    const char *chamber = strcmp(r->type, "upper") == 0   ? "SD"
                          : strcmp(r->type, "lower") == 0 ? "HD"
                          : strcmp(r->type, "legislature") == 0 ? "LD"
                                                                : NULL;
    if (chamber && r->district[0]) {
        slug(r->district, part, sizeof part);
        sort_part(r->district, sortp, sizeof sortp);
        snprintf(below->code, sizeof below->code, "US-%s-%s-%s", r->state, chamber, part);
        snprintf(below->name, sizeof below->name, "%s %s district %s", sname,
                 chamber[0] == 'S' ? "Senate" : chamber[0] == 'H' ? "House" : "Legislature", r->district);
        snprintf(below->kind, sizeof below->kind, "district");
        snprintf(below->sort, sizeof below->sort, "US/%s/%s/%s", r->state, chamber, sortp);
    } else if (r->place[0]) {
        char pname[120];
        slug(r->place, part, sizeof part);
        place_name(r->place, pname, sizeof pname);
        snprintf(below->code, sizeof below->code, "US-%s-PL-%s", r->state, part);
        snprintf(below->name, sizeof below->name, "%s, %s", pname, sname);
        snprintf(below->kind, sizeof below->kind, "place");
        snprintf(below->sort, sizeof below->sort, "US/%s/PL/%s", r->state, part);
        set(row, a, "roles", CF_ORGANISATION, arena_printf(a, "City of %s", pname));
    }
    set(row, a, "roles", CF_REGION, below->code[0] ? below->code : state->code);
}
