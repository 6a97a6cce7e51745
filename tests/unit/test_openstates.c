/* Unit tests for openstates: real person files of the Open States "people"
 * data set (CC0; copied byte for byte, the YAML escapes included) with every
 * field checked, the choice of the current party and role, the rules for
 * odd values, the limits and the error messages. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openstates.h"

/* data/ak/legislature/Loki-Tobin-c66c309d-1612-4eab-863c-59e34b643e2c.yml (Open States people, CC0) */
static const char TOBIN[] =
    "id: ocd-person/c66c309d-1612-4eab-863c-59e34b643e2c\n"
    "name: \"L\\xF6ki Tobin\"\n"
    "given_name: \"L\\xF6ki\"\n"
    "family_name: Tobin\n"
    "gender: Female\n"
    "email: senator.loki.tobin@akleg.gov\n"
    "image: http://akleg.gov/images/legislators/450x600/TOB.jpg\n"
    "party:\n"
    "- name: Democratic\n"
    "roles:\n"
    "- start_date: 2023-01-17\n"
    "  type: upper\n"
    "  jurisdiction: ocd-jurisdiction/country:us/state:ak/government\n"
    "  district: I\n"
    "offices:\n"
    "- classification: capitol\n"
    "  address: State Capitol Room 115, 120 4th St., Juneau, AK 99801\n"
    "  voice: 907-465-3704\n"
    "- classification: district\n"
    "  address: 1500 W. Benson Blvd., Anchorage, AK 99503\n"
    "  voice: 907-269-0169\n"
    "links:\n"
    "- url: https://alaskasenate.org/tobin/\n"
    "- url: https://www.akleg.gov/basis/Member/Detail/33?code=tob\n"
    "- url: https://www.akleg.gov/basis/Member/Detail/34?code=tob\n"
    "other_names:\n"
    "- name: L. Tobin\n"
    "- name: L.G. Tobin\n"
    "- name: Loki G. Tobin\n"
    "- name: Loki Gale Tobin\n"
    "- name: Loki Tobin\n"
    "- name: Tobin, L.\n"
    "ids:\n"
    "  facebook: senatorloki\n"
    "  instagram: lgtobin\n"
    "sources:\n"
    "- url: https://alaskasenate.org/tobin\n"
    "- url: https://ballotpedia.org/Loki_Tobin\n"
    "- url: \"https://en.wikipedia.org/wiki/L\\xF6ki_Tobin\"\n"
    "- url: https://justfacts.votesmart.org/candidate/biography/207876/loki-tobin\n"
    "- url: https://pridefoundation.org/team/gale-tobin\n"
    "- url: https://www.akleg.gov/basis/mbr_info.asp?session=33\n"
    "  note: member list page\n"
    "- url: https://www.akleg.gov/basis/Member/Detail/33?code=TOB\n"
    "- url: https://www.akleg.gov/basis/Member/Detail/33?code=tob\n"
    "- url: https://www.akleg.gov/basis/Member/Detail/34?code=tob\n"
    "- url: https://www.linkedin.com/in/l%C3%B6ki-gale-tobin-ma-908674167\n"
    "extras:\n"
    "  toll_free_phone: 888-330-3704\n";

/* data/nh/executive/Chris-Sununu-7a90d1a3-a8c9-47d7-9724-fa951eff016e.yml (Open States people, CC0) */
static const char SUNUNU[] =
    "id: ocd-person/7a90d1a3-a8c9-47d7-9724-fa951eff016e\n"
    "name: Chris Sununu\n"
    "given_name: Chris\n"
    "family_name: Sununu\n"
    "birth_date: 1974-11-05\n"
    "image: https://www.governor.nh.gov/sites/g/files/ehbemt336/files/inline-images/gov-headshot.png\n"
    "party:\n"
    "- name: Republican\n"
    "roles:\n"
    "- start_date: '2017-01-05'\n"
    "  end_date: '2025-01-02'\n"
    "  type: governor\n"
    "  jurisdiction: ocd-jurisdiction/country:us/state:nh/government\n"
    "offices:\n"
    "- classification: capitol\n"
    "  address: Office of the Governor; State House; 107 North Main Street; Concord, NH\n"
    "    03301\n"
    "  voice: 603-271-2121\n"
    "  fax: 603-271-7680\n"
    "links:\n"
    "- url: https://www.governor.nh.gov/\n"
    "- url: https://www.governor.nh.gov/contact-us/opinion\n"
    "  note: webform\n"
    "ids:\n"
    "  twitter: govchrissununu\n"
    "sources:\n"
    "- url: https://www.governor.nh.gov/\n";

/* data/me/municipalities/Mark-N-Dion-063897c8-da0a-4d03-a493-1ca57e4d5d8d.yml (Open States people, CC0) */
static const char DION[] =
    "id: ocd-person/063897c8-da0a-4d03-a493-1ca57e4d5d8d\n"
    "name: Mark N. Dion\n"
    "given_name: Mark\n"
    "family_name: Dion\n"
    "middle_name: N.\n"
    "image: https://mainelegislature.org/images/logo.png\n"
    "party:\n"
    "- name: Democratic\n"
    "email: mdion@portlandmaine.gov\n"
    "roles:\n"
    "- end_date: '2027-12-01'\n"
    "  type: mayor\n"
    "  jurisdiction: ocd-jurisdiction/country:us/state:me/place:portland/government\n"
    "- end_date: '2018-12-31'\n"
    "  type: upper\n"
    "  jurisdiction: ocd-jurisdiction/country:us/state:me/government\n"
    "  district: '28'\n"
    "- start_date: '2015-01-01'\n"
    "  end_date: '2016-12-31'\n"
    "  type: lower\n"
    "  jurisdiction: ocd-jurisdiction/country:us/state:me/government\n"
    "  district: '43'\n"
    "- start_date: '2011-01-01'\n"
    "  end_date: '2014-12-31'\n"
    "  type: lower\n"
    "  jurisdiction: ocd-jurisdiction/country:us/state:me/government\n"
    "  district: '113'\n"
    "offices:\n"
    "- classification: primary\n"
    "  address: 389 Congress Street;Portland, ME 04101\n"
    "  voice: 207-756-8241\n"
    "links:\n"
    "- url: https://www.portlandmaine.gov/771/Mayor\n"
    "- url: https://mainelegislature.org/senate/senator-mark-dion/9366\n"
    "- url: http://www.maine.gov/legis/house/hsebios/dionmn.htm\n"
    "other_identifiers:\n"
    "- scheme: legacy_openstates\n"
    "  identifier: MEL000524\n"
    "- scheme: legacy_openstates\n"
    "  identifier: MEL000148\n"
    "- scheme: legacy_openstates\n"
    "  identifier: MEL000327\n"
    "- scheme: openstates\n"
    "  identifier: ocd-person/eead9dc3-96a2-4bb7-aa12-017f5d755111\n"
    "sources:\n"
    "- url: https://www.portlandmaine.gov/771/Mayor\n"
    "- url: https://mainelegislature.org/senate/senator-mark-dion/9366\n"
    "- url: http://www.maine.gov/legis/house/dist_mem.htm\n"
    "- url: http://www.maine.gov/legis/house/hsebios/dionmn.htm\n"
    "extras:\n"
    "  first_name: Mark\n"
    "  last_name: Dion\n"
    "  middle_name: N.\n";

/* data/az/legislature/Steve-Montenegro-37f8815d-1672-42dd-9e9b-305449d7bb8b.yml (Open States people, CC0) */
static const char MONTENEGRO[] =
    "id: ocd-person/37f8815d-1672-42dd-9e9b-305449d7bb8b\n"
    "name: Steve Montenegro\n"
    "given_name: Steve\n"
    "family_name: Montenegro\n"
    "gender: Male\n"
    "email: smontenegro@azleg.gov\n"
    "image: http://www.azleg.gov/alisImages/MemberPhotos/49leg/House/MONTENEGRO.gif\n"
    "party:\n"
    "- name: Republican\n"
    "roles:\n"
    "- start_date: 2023-01-09\n"
    "  type: lower\n"
    "  jurisdiction: ocd-jurisdiction/country:us/state:az/government\n"
    "  district: '29'\n"
    "- start_date: 2017-01-01\n"
    "  end_date: 2018-12-31\n"
    "  type: upper\n"
    "  jurisdiction: ocd-jurisdiction/country:us/state:az/government\n"
    "  district: '13'\n"
    "  end_reason: resigned to run for Congress\n"
    "- start_date: 2013-01-01\n"
    "  end_date: 2016-12-31\n"
    "  type: lower\n"
    "  jurisdiction: ocd-jurisdiction/country:us/state:az/government\n"
    "  district: '13'\n"
    "- start_date: 2009-01-01\n"
    "  end_date: 2012-12-31\n"
    "  type: lower\n"
    "  jurisdiction: ocd-jurisdiction/country:us/state:az/government\n"
    "  district: '12'\n"
    "offices:\n"
    "- classification: capitol\n"
    "  address: Room 223, 1700 W. Washington St., Phoenix, AZ 85007\n"
    "  voice: 602-926-3635\n"
    "links:\n"
    "- url: https://www.azleg.gov/house-member/?legislature=56&session=127&legislator=2183\n"
    "- url: https://www.azleg.gov/house-member/?legislature=57&session=129&legislator=2325\n"
    "- url: https://www.azleg.gov/House/House-member/?legislature=56&session=127&legislator=2183\n"
    "- url: https://www.azleg.gov/House/House-member/?legislature=56&session=128&legislator=2183\n"
    "- url: https://www.azleg.gov/MembersPage.asp?Member_ID=66&Legislature=52&Session_ID=115\n"
    "- url: https://www.azleg.gov/Senate/Senate-member/?legislature=53&session=119&legislator=1786\n"
    "other_names:\n"
    "- name: Montenegro, S.\n"
    "- name: S. Montenegro\n"
    "- name: S.B. Montenegro\n"
    "- name: Steve B. Montenegro\n"
    "other_identifiers:\n"
    "- scheme: legacy_openstates\n"
    "  identifier: AZL000379\n"
    "- scheme: legacy_openstates\n"
    "  identifier: AZL000075\n"
    "- scheme: legacy_openstates\n"
    "  identifier: AZL000166\n"
    "- scheme: legacy_openstates\n"
    "  identifier: AZL000276\n"
    "- scheme: openstates\n"
    "  identifier: ocd-person/6d571d81-5c57-48a2-a9bd-56f61af2c4ae\n"
    "- scheme: openstates\n"
    "  identifier: ocd-person/77793969-a745-4713-b7be-21ab21980563\n"
    "sources:\n"
    "- url: https://ballotpedia.org/Steve_B._Montenegro\n"
    "- url: https://en.wikipedia.org/wiki/Steve_Montenegro\n"
    "- url: https://www.azleg.gov/house-member/?legislature=56&session=127&legislator=2183\n"
    "- url: https://www.azleg.gov/house-member/?legislature=57&session=129&legislator=2325\n"
    "- url: https://www.azleg.gov/MemberRoster.asp?Session_ID=115&body=H\n"
    "- url: https://www.azleg.gov/memberroster/?body=H\n"
    "- url: https://www.azleg.gov/MemberRoster/?body=S\n"
    "- url: https://www.linkedin.com/in/steve-montenegro-25576222\n";

/* data/ca/municipalities/Samantha-Rodriguez-7a6b296c-bc31-4d7f-9044-da5ccf1f1c86.yml (Open States people, CC0) */
static const char RODRIGUEZ[] =
    "id: ocd-person/7a6b296c-bc31-4d7f-9044-da5ccf1f1c86\n"
    "name: Samantha Rodriguez\n"
    "given_name: Samantha\n"
    "family_name: Rodriguez\n"
    "email: srodriguez@rpcity.org\n"
    "roles:\n"
    "  - end_date: 2022-12-12\n"
    "    type: mayor\n"
    "    jurisdiction: ocd-jurisdiction/country:us/state:ca/place:rohnert_park/government\n"
    "offices:\n"
    "  - classification: primary\n"
    "    address: City Hall, 130 Avram Avenue;Rohnert Park, CA 94928\n"
    "    voice: 707-588-2223\n"
    "sources:\n"
    "  - url: https://www.rpcity.org\n"
    "  - url: https://www.rpcity.org/cms/One.aspx?portalId=3037873&pageId=18593094\n";

/* data/pr/legislature/Carlos-Johnny-Mndez-Nez-668ff3c6-68b5-4c95-b982-a03fd9c8b1a3.yml (Open States people, CC0) */
static const char MENDEZ[] =
    "id: ocd-person/668ff3c6-68b5-4c95-b982-a03fd9c8b1a3\n"
    "name: \"Johnny M\\xE9ndez N\\xFA\\xF1ez\"\n"
    "given_name: Johnny\n"
    "family_name: \"M\\xE9ndez N\\xFA\\xF1ez\"\n"
    "birth_date: 1960-06-30\n"
    "gender: Male\n"
    "email: cmendez@camara.pr.gov\n"
    "image: https://www.camara.pr.gov/wp-content/uploads/2021/08/Carlos_Mendez_420px.jpg\n"
    "party:\n"
    "- name: Partido Nuevo Progresista\n"
    "roles:\n"
    "- start_date: 2005-01-02\n"
    "  type: lower\n"
    "  jurisdiction: ocd-jurisdiction/country:us/territory:pr/government\n"
    "  district: '36'\n"
    "offices:\n"
    "- classification: capitol\n"
    "  address: \"El Capitolio, Avenida Constituci\\xF3n P.O. Box 9022228, San Juan, PR 00902\"\n"
    "  voice: 787-622-4998\n"
    "links:\n"
    "- url: https://camara.registrok12.com/team/carlos-johnny-mendez-nunez/\n"
    "- url: https://rfsp.eticapr.com/Busqueda\n"
    "  note: resumen financiero\n"
    "- url: https://www.camara.pr.gov/team/carlos-johnny-mendez-nunez/\n"
    "  note: homepage\n"
    "- url: https://www.tucamarapr.org/dnncamara/ComposiciondelaCamara/biografia.aspx?rep=39\n"
    "other_names:\n"
    "- name: \"C. M\\xE9ndez N\\xFA\\xF1ez\"\n"
    "- name: \"Carlos \\\"Johnny\\\" M\\xE9ndez N\\xFA\\xF1ez\"\n"
    "- name: \"Carlos J. M\\xE9ndez N\\xFA\\xF1ez\"\n"
    "- name: \"Carlos \\u201CJohnny\\u201D M\\xE9ndez N\\xFA\\xF1ez\"\n"
    "- name: \"J. M\\xE9ndez N\\xFA\\xF1ez\"\n"
    "- name: \"M\\xE9ndez N\\xFA\\xF1ez, J.\"\n"
    "other_identifiers:\n"
    "- scheme: legacy_openstates\n"
    "  identifier: PRL000297\n"
    "sources:\n"
    "- url: https://ballotpedia.org/Carlos_M%C3%A9ndez_N%C3%BA%C3%B1ez\n"
    "- url: https://camara.registrok12.com/team/carlos-johnny-mendez-nunez\n"
    "- url: https://en.wikipedia.org/wiki/Carlos_Johnny_M%C3%A9ndez\n"
    "- url: https://www.camara.pr.gov/page-team\n"
    "- url: https://www.camara.pr.gov/page-team/\n"
    "- url: https://www.camara.pr.gov/team/carlos-johnny-mendez-nunez\n"
    "- url: https://www.camara.pr.gov/team/carlos-johnny-mendez-nunez/\n"
    "- url: https://www.tucamarapr.org/dnncamara/ComposiciondelaCamara/Biografia.aspx\n"
    "- url: https://www.tucamarapr.org/dnncamara/ComposiciondelaCamara/biografia.aspx?rep=39\n"
    "extras:\n"
    "  role: Portavoz PNP\n"
    "  committees: \"Comisi\\xF3n Especial para Reconstrucci\\xF3n y Reorganizaci\\xF3n de\\\n"
    "    \\ PR tras el paso de los Huracanes Irma y Mar\\xEDa- Comisi\\xF3n Conjunta Para\\\n"
    "    \\ La Revisi\\xF3n e Implementaci\\xF3n de Reglamentos Administrativos- Comisi\\xF3\\\n"
    "    n Especial de Nombramientos de la C\\xE1mara de Representantes de Puerto Rico\"\n";

/* data/dc/legislature/Doni-Crawford-5b179576-4f3f-453c-b40a-32917d38d751.yml (Open States people, CC0) */
static const char CRAWFORD[] =
    "id: ocd-person/5b179576-4f3f-453c-b40a-32917d38d751\n"
    "name: Doni Crawford\n"
    "given_name: Doni\n"
    "family_name: Crawford\n"
    "gender: Female\n"
    "email: dcrawford@dccouncil.gov\n"
    "image: https://dccouncil.gov/wp-content/uploads/2026/01/Bio-Pic-scaled-125x125-c-default.jpeg\n"
    "party:\n"
    "- name: Independent\n"
    "roles:\n"
    "- start_date: 2026-01-20\n"
    "  type: legislature\n"
    "  jurisdiction: ocd-jurisdiction/country:us/district:dc/government\n"
    "  district: At-Large\n"
    "  end_date: 2026-07-01\n"
    "offices:\n"
    "- classification: district\n"
    "  address: 1350 Pennsylvania Ave. NW Suite 506, Washington, DC 20004\n"
    "  voice: 202-724-7772\n"
    "links:\n"
    "- url: https://dccouncil.gov/council/at-large-councilmember-doni-crawford/\n"
    "  note: homepage\n"
    "other_names:\n"
    "- name: Crawford, D.\n"
    "- name: Crawford, Doni\n"
    "- name: D. Crawford\n"
    "sources:\n"
    "- url: https://dccouncil.gov/council/at-large-councilmember-doni-crawford\n"
    "- url: https://dccouncil.gov/council/at-large-councilmember-doni-crawford/\n"
    "- url: https://en.wikipedia.org/wiki/Doni_Crawford\n"
    "- url: https://www.linkedin.com/in/donicrawford\n";

/* data/hi/municipalities/Derek-Kawakami-ff3fcb8b-c05c-44f6-95fd-454be5e05128.yml (Open States people, CC0) */
static const char KAWAKAMI[] =
    "id: ocd-person/ff3fcb8b-c05c-44f6-95fd-454be5e05128\n"
    "name: Derek S.K. Kawakami\n"
    "given_name: Derek\n"
    "family_name: Kawakami\n"
    "email: mayor@kauai.gov\n"
    "roles:\n"
    "- end_date: '2026-12-05'\n"
    "  type: mayor\n"
    "  jurisdiction: ocd-jurisdiction/country:us/state:hi/county:kauai/government\n"
    "offices:\n"
    "- classification: primary\n"
    "  address: 4444 Rice St., Suite 235;Lihue, HI 96766\n"
    "  voice: 808-241-4900\n"
    "  fax: 808-241-6877\n"
    "sources:\n"
    "- url: https://www.kauai.gov/Mayor\n";

/* ---- Helpers ---------------------------------------------------------- */

/* Parses text, which must succeed, from a heap copy that is freed before
 * the caller looks at the result: every string must live in the arena. */
static os_person parse_ok(arena *a, const char *text)
{
    size_t n = strlen(text);
    char *copy = xmalloc(n ? n : 1);
    memcpy(copy, text, n);
    os_person p;
    char err[200] = "unset";
    int rc = openstates_parse(copy, n, a, &p, err, sizeof err);
    free(copy);
    if (rc != 0)
        fail_msg("parse failed: %s", err);
    assert_string_equal(err, "");
    return p;
}

/* Parses data[0..n), which must fail with exactly the message want, and
 * checks that the person is left cleared. */
static void parse_err_n(const char *data, size_t n, const char *want)
{
    arena *a = arena_new();
    os_person p, zero;
    memset(&p, 0x5A, sizeof p);
    memset(&zero, 0, sizeof zero);
    char err[200];
    assert_int_equal(openstates_parse(data, n, a, &p, err, sizeof err), -1);
    assert_string_equal(err, want);
    assert_memory_equal(&p, &zero, sizeof p);
    arena_free(a);
}

static void parse_err(const char *text, const char *want)
{
    parse_err_n(text, strlen(text), want);
}

/* Every string field of the person but the lists, all "" when not given. */
static void assert_no_other_fields(const os_person *p)
{
    assert_non_null(p->suffix);
    assert_non_null(p->biography);
    assert_non_null(p->death_date);
    assert_string_equal(p->suffix, "");
    assert_string_equal(p->biography, "");
    assert_string_equal(p->death_date, "");
}

/* ---- Real files ------------------------------------------------------- */

static void test_tobin(void **state)
{
    (void)state;
    arena *a = arena_new();
    os_person p = parse_ok(a, TOBIN);
    assert_string_equal(p.id, "ocd-person/c66c309d-1612-4eab-863c-59e34b643e2c");
    /* "L\xF6ki" in the file: a YAML escape, decoded to UTF-8. */
    assert_string_equal(p.name, "L\xC3\xB6"
                                "ki Tobin");
    assert_string_equal(p.given_name, "L\xC3\xB6"
                                      "ki");
    assert_string_equal(p.family_name, "Tobin");
    assert_string_equal(p.middle_name, "");
    assert_string_equal(p.gender, "Female");
    assert_string_equal(p.email, "senator.loki.tobin@akleg.gov");
    assert_string_equal(p.birth_date, "");
    assert_string_equal(p.image, "http://akleg.gov/images/legislators/450x600/TOB.jpg");
    assert_no_other_fields(&p);
    assert_string_equal(p.twitter, "");
    assert_string_equal(p.youtube, "");
    assert_string_equal(p.instagram, "lgtobin");
    assert_string_equal(p.facebook, "senatorloki");

    assert_int_equal(p.nparties, 1);
    assert_string_equal(p.parties[0].name, "Democratic");
    assert_string_equal(p.parties[0].start_date, "");
    assert_string_equal(p.parties[0].end_date, "");
    assert_ptr_equal(p.party, &p.parties[0]);

    assert_int_equal(p.nroles, 1);
    assert_ptr_equal(p.role, &p.roles[0]);
    assert_string_equal(p.role->type, "upper");
    assert_string_equal(p.role->district, "I");
    assert_string_equal(p.role->jurisdiction, "ocd-jurisdiction/country:us/state:ak/government");
    assert_string_equal(p.role->start_date, "2023-01-17");
    assert_string_equal(p.role->end_date, "");
    assert_string_equal(p.role->end_reason, "");
    assert_string_equal(p.role->state, "AK");
    assert_string_equal(p.role->place, "");
    assert_string_equal(p.role->county, "");

    assert_int_equal(p.noffices, 2);
    assert_string_equal(p.offices[0].classification, "capitol");
    assert_string_equal(p.offices[0].address, "State Capitol Room 115, 120 4th St., Juneau, AK 99801");
    assert_string_equal(p.offices[0].voice, "907-465-3704");
    assert_string_equal(p.offices[0].fax, "");
    assert_string_equal(p.offices[0].name, "");
    assert_string_equal(p.offices[1].classification, "district");
    assert_string_equal(p.offices[1].address, "1500 W. Benson Blvd., Anchorage, AK 99503");
    assert_string_equal(p.offices[1].voice, "907-269-0169");
    assert_string_equal(p.offices[1].fax, "");

    /* The links only: sources, other_names and extras are skipped. */
    assert_int_equal(p.nlinks, 3);
    assert_string_equal(p.links[0].url, "https://alaskasenate.org/tobin/");
    assert_string_equal(p.links[0].note, "");
    assert_string_equal(p.links[1].url, "https://www.akleg.gov/basis/Member/Detail/33?code=tob");
    assert_string_equal(p.links[2].url, "https://www.akleg.gov/basis/Member/Detail/34?code=tob");
    assert_string_equal(p.homepage, "");
    arena_free(a);
}

static void test_sununu(void **state)
{
    (void)state;
    arena *a = arena_new();
    os_person p = parse_ok(a, SUNUNU);
    assert_string_equal(p.id, "ocd-person/7a90d1a3-a8c9-47d7-9724-fa951eff016e");
    assert_string_equal(p.name, "Chris Sununu");
    assert_string_equal(p.given_name, "Chris");
    assert_string_equal(p.family_name, "Sununu");
    assert_string_equal(p.middle_name, "");
    assert_string_equal(p.birth_date, "1974-11-05");
    assert_string_equal(p.gender, "");
    assert_string_equal(p.email, "");
    assert_string_equal(p.image,
                        "https://www.governor.nh.gov/sites/g/files/ehbemt336/files/inline-images/gov-headshot.png");
    assert_no_other_fields(&p);
    assert_string_equal(p.twitter, "govchrissununu");
    assert_string_equal(p.facebook, "");
    assert_string_equal(p.instagram, "");
    assert_string_equal(p.youtube, "");

    assert_int_equal(p.nparties, 1);
    assert_string_equal(p.party->name, "Republican");

    /* The only role has ended: it is still the current one. Its dates are
     * quoted in the file. */
    assert_int_equal(p.nroles, 1);
    assert_ptr_equal(p.role, &p.roles[0]);
    assert_string_equal(p.role->type, "governor");
    assert_string_equal(p.role->district, "");
    assert_string_equal(p.role->jurisdiction, "ocd-jurisdiction/country:us/state:nh/government");
    assert_string_equal(p.role->start_date, "2017-01-05");
    assert_string_equal(p.role->end_date, "2025-01-02");
    assert_string_equal(p.role->state, "NH");

    assert_int_equal(p.noffices, 1);
    assert_string_equal(p.offices[0].classification, "capitol");
    /* A plain scalar folded over two lines. */
    assert_string_equal(p.offices[0].address,
                        "Office of the Governor; State House; 107 North Main Street; Concord, NH 03301");
    assert_string_equal(p.offices[0].voice, "603-271-2121");
    assert_string_equal(p.offices[0].fax, "603-271-7680");

    assert_int_equal(p.nlinks, 2);
    assert_string_equal(p.links[0].url, "https://www.governor.nh.gov/");
    assert_string_equal(p.links[0].note, "");
    assert_string_equal(p.links[1].url, "https://www.governor.nh.gov/contact-us/opinion");
    assert_string_equal(p.links[1].note, "webform");
    assert_string_equal(p.homepage, "");
    arena_free(a);
}

static void test_dion(void **state)
{
    (void)state;
    arena *a = arena_new();
    os_person p = parse_ok(a, DION);
    assert_string_equal(p.id, "ocd-person/063897c8-da0a-4d03-a493-1ca57e4d5d8d");
    assert_string_equal(p.name, "Mark N. Dion");
    assert_string_equal(p.given_name, "Mark");
    assert_string_equal(p.family_name, "Dion");
    assert_string_equal(p.middle_name, "N.");
    assert_string_equal(p.gender, "");
    assert_string_equal(p.email, "mdion@portlandmaine.gov");
    assert_string_equal(p.birth_date, "");
    assert_string_equal(p.image, "https://mainelegislature.org/images/logo.png");
    assert_no_other_fields(&p);
    assert_string_equal(p.twitter, "");

    assert_int_equal(p.nparties, 1);
    assert_string_equal(p.party->name, "Democratic");

    /* Every role has ended: the current one is the mayor's, which ends
     * last. */
    assert_int_equal(p.nroles, 4);
    assert_ptr_equal(p.role, &p.roles[0]);
    assert_string_equal(p.roles[0].type, "mayor");
    assert_string_equal(p.roles[0].district, "");
    assert_string_equal(p.roles[0].jurisdiction, "ocd-jurisdiction/country:us/state:me/place:portland/government");
    assert_string_equal(p.roles[0].start_date, "");
    assert_string_equal(p.roles[0].end_date, "2027-12-01");
    assert_string_equal(p.roles[0].state, "ME");
    assert_string_equal(p.roles[0].place, "portland");
    assert_string_equal(p.roles[0].county, "");
    assert_string_equal(p.roles[1].type, "upper");
    assert_string_equal(p.roles[1].district, "28");
    assert_string_equal(p.roles[1].start_date, "");
    assert_string_equal(p.roles[1].end_date, "2018-12-31");
    assert_string_equal(p.roles[1].state, "ME");
    assert_string_equal(p.roles[1].place, "");
    assert_string_equal(p.roles[2].type, "lower");
    assert_string_equal(p.roles[2].district, "43");
    assert_string_equal(p.roles[2].start_date, "2015-01-01");
    assert_string_equal(p.roles[2].end_date, "2016-12-31");
    assert_string_equal(p.roles[3].type, "lower");
    assert_string_equal(p.roles[3].district, "113");
    assert_string_equal(p.roles[3].jurisdiction, "ocd-jurisdiction/country:us/state:me/government");
    assert_string_equal(p.roles[3].start_date, "2011-01-01");
    assert_string_equal(p.roles[3].end_date, "2014-12-31");
    assert_string_equal(p.roles[3].end_reason, "");

    assert_int_equal(p.noffices, 1);
    assert_string_equal(p.offices[0].classification, "primary");
    assert_string_equal(p.offices[0].address, "389 Congress Street;Portland, ME 04101");
    assert_string_equal(p.offices[0].voice, "207-756-8241");
    assert_string_equal(p.offices[0].fax, "");

    assert_int_equal(p.nlinks, 3);
    assert_string_equal(p.links[0].url, "https://www.portlandmaine.gov/771/Mayor");
    assert_string_equal(p.links[1].url, "https://mainelegislature.org/senate/senator-mark-dion/9366");
    assert_string_equal(p.links[2].url, "http://www.maine.gov/legis/house/hsebios/dionmn.htm");
    assert_string_equal(p.homepage, "");
    arena_free(a);
}

static void test_montenegro(void **state)
{
    (void)state;
    arena *a = arena_new();
    os_person p = parse_ok(a, MONTENEGRO);
    assert_string_equal(p.id, "ocd-person/37f8815d-1672-42dd-9e9b-305449d7bb8b");
    assert_string_equal(p.name, "Steve Montenegro");
    assert_string_equal(p.given_name, "Steve");
    assert_string_equal(p.family_name, "Montenegro");
    assert_string_equal(p.gender, "Male");
    assert_string_equal(p.email, "smontenegro@azleg.gov");
    assert_string_equal(p.image, "http://www.azleg.gov/alisImages/MemberPhotos/49leg/House/MONTENEGRO.gif");
    assert_no_other_fields(&p);
    assert_string_equal(p.party->name, "Republican");

    /* One open role and three that ended, one of them with a reason. */
    assert_int_equal(p.nroles, 4);
    assert_ptr_equal(p.role, &p.roles[0]);
    assert_string_equal(p.role->type, "lower");
    assert_string_equal(p.role->district, "29");
    assert_string_equal(p.role->start_date, "2023-01-09");
    assert_string_equal(p.role->end_date, "");
    assert_string_equal(p.role->state, "AZ");
    assert_string_equal(p.roles[1].type, "upper");
    assert_string_equal(p.roles[1].district, "13");
    assert_string_equal(p.roles[1].start_date, "2017-01-01");
    assert_string_equal(p.roles[1].end_date, "2018-12-31");
    assert_string_equal(p.roles[1].end_reason, "resigned to run for Congress");
    assert_string_equal(p.roles[2].district, "13");
    assert_string_equal(p.roles[2].end_reason, "");
    assert_string_equal(p.roles[3].district, "12");
    assert_string_equal(p.roles[3].start_date, "2009-01-01");
    assert_string_equal(p.roles[3].end_date, "2012-12-31");

    assert_int_equal(p.noffices, 1);
    assert_string_equal(p.offices[0].address, "Room 223, 1700 W. Washington St., Phoenix, AZ 85007");
    assert_string_equal(p.offices[0].voice, "602-926-3635");
    assert_int_equal(p.nlinks, 6);
    assert_string_equal(p.links[4].url,
                        "https://www.azleg.gov/MembersPage.asp?Member_ID=66&Legislature=52&Session_ID=115");
    assert_string_equal(p.links[5].url,
                        "https://www.azleg.gov/Senate/Senate-member/?legislature=53&session=119&legislator=1786");
    arena_free(a);
}

static void test_rodriguez(void **state)
{
    (void)state;
    arena *a = arena_new();
    /* A mayor, in a file whose lists are indented under their keys. */
    os_person p = parse_ok(a, RODRIGUEZ);
    assert_string_equal(p.id, "ocd-person/7a6b296c-bc31-4d7f-9044-da5ccf1f1c86");
    assert_string_equal(p.name, "Samantha Rodriguez");
    assert_string_equal(p.given_name, "Samantha");
    assert_string_equal(p.family_name, "Rodriguez");
    assert_string_equal(p.email, "srodriguez@rpcity.org");
    assert_string_equal(p.gender, "");
    assert_string_equal(p.image, "");
    assert_no_other_fields(&p);
    assert_int_equal(p.nparties, 0);
    assert_null(p.parties);
    assert_null(p.party);
    assert_int_equal(p.nroles, 1);
    assert_ptr_equal(p.role, &p.roles[0]);
    assert_string_equal(p.role->type, "mayor");
    assert_string_equal(p.role->end_date, "2022-12-12");
    assert_string_equal(p.role->jurisdiction, "ocd-jurisdiction/country:us/state:ca/place:rohnert_park/government");
    assert_string_equal(p.role->state, "CA");
    assert_string_equal(p.role->place, "rohnert_park");
    assert_int_equal(p.noffices, 1);
    assert_string_equal(p.offices[0].classification, "primary");
    assert_string_equal(p.offices[0].address, "City Hall, 130 Avram Avenue;Rohnert Park, CA 94928");
    assert_string_equal(p.offices[0].voice, "707-588-2223");
    assert_int_equal(p.nlinks, 0);
    assert_null(p.links);
    assert_string_equal(p.homepage, "");
    arena_free(a);
}

static void test_mendez(void **state)
{
    (void)state;
    arena *a = arena_new();
    os_person p = parse_ok(a, MENDEZ);
    assert_string_equal(p.id, "ocd-person/668ff3c6-68b5-4c95-b982-a03fd9c8b1a3");
    assert_string_equal(p.name, "Johnny M\xC3\xA9ndez N\xC3\xBA\xC3\xB1"
                                "ez");
    assert_string_equal(p.given_name, "Johnny");
    assert_string_equal(p.family_name, "M\xC3\xA9ndez N\xC3\xBA\xC3\xB1"
                                       "ez");
    assert_string_equal(p.birth_date, "1960-06-30");
    assert_string_equal(p.gender, "Male");
    assert_string_equal(p.email, "cmendez@camara.pr.gov");
    assert_string_equal(p.image, "https://www.camara.pr.gov/wp-content/uploads/2021/08/Carlos_Mendez_420px.jpg");
    assert_no_other_fields(&p);
    assert_string_equal(p.party->name, "Partido Nuevo Progresista");
    assert_int_equal(p.nroles, 1);
    assert_string_equal(p.role->type, "lower");
    assert_string_equal(p.role->district, "36");
    assert_string_equal(p.role->start_date, "2005-01-02");
    assert_string_equal(p.role->jurisdiction, "ocd-jurisdiction/country:us/territory:pr/government");
    assert_string_equal(p.role->state, "PR");
    assert_int_equal(p.noffices, 1);
    assert_string_equal(p.offices[0].address,
                        "El Capitolio, Avenida Constituci\xC3\xB3n P.O. Box 9022228, San Juan, PR 00902");
    assert_string_equal(p.offices[0].voice, "787-622-4998");
    assert_int_equal(p.nlinks, 4);
    assert_string_equal(p.links[1].url, "https://rfsp.eticapr.com/Busqueda");
    assert_string_equal(p.links[1].note, "resumen financiero");
    assert_string_equal(p.links[2].note, "homepage");
    assert_string_equal(p.links[3].url,
                        "https://www.tucamarapr.org/dnncamara/ComposiciondelaCamara/biografia.aspx?rep=39");
    assert_ptr_equal(p.homepage, p.links[2].url);
    assert_string_equal(p.homepage, "https://www.camara.pr.gov/team/carlos-johnny-mendez-nunez/");
    arena_free(a);
}

static void test_crawford(void **state)
{
    (void)state;
    arena *a = arena_new();
    os_person p = parse_ok(a, CRAWFORD);
    assert_string_equal(p.id, "ocd-person/5b179576-4f3f-453c-b40a-32917d38d751");
    assert_string_equal(p.name, "Doni Crawford");
    assert_string_equal(p.given_name, "Doni");
    assert_string_equal(p.family_name, "Crawford");
    assert_string_equal(p.gender, "Female");
    assert_string_equal(p.email, "dcrawford@dccouncil.gov");
    assert_string_equal(p.image,
                        "https://dccouncil.gov/wp-content/uploads/2026/01/Bio-Pic-scaled-125x125-c-default.jpeg");
    assert_no_other_fields(&p);
    assert_string_equal(p.party->name, "Independent");
    assert_int_equal(p.nroles, 1);
    assert_string_equal(p.role->type, "legislature");
    assert_string_equal(p.role->district, "At-Large");
    assert_string_equal(p.role->start_date, "2026-01-20");
    assert_string_equal(p.role->end_date, "2026-07-01");
    assert_string_equal(p.role->jurisdiction, "ocd-jurisdiction/country:us/district:dc/government");
    assert_string_equal(p.role->state, "DC");
    assert_int_equal(p.noffices, 1);
    assert_string_equal(p.offices[0].classification, "district");
    assert_string_equal(p.offices[0].address, "1350 Pennsylvania Ave. NW Suite 506, Washington, DC 20004");
    assert_string_equal(p.offices[0].voice, "202-724-7772");
    assert_int_equal(p.nlinks, 1);
    assert_string_equal(p.homepage, "https://dccouncil.gov/council/at-large-councilmember-doni-crawford/");
    arena_free(a);
}

static void test_kawakami(void **state)
{
    (void)state;
    arena *a = arena_new();
    os_person p = parse_ok(a, KAWAKAMI);
    assert_string_equal(p.id, "ocd-person/ff3fcb8b-c05c-44f6-95fd-454be5e05128");
    assert_string_equal(p.name, "Derek S.K. Kawakami");
    assert_string_equal(p.given_name, "Derek");
    assert_string_equal(p.family_name, "Kawakami");
    assert_string_equal(p.email, "mayor@kauai.gov");
    assert_no_other_fields(&p);
    assert_null(p.party);
    assert_int_equal(p.nroles, 1);
    assert_string_equal(p.role->type, "mayor");
    assert_string_equal(p.role->end_date, "2026-12-05");
    assert_string_equal(p.role->state, "HI");
    assert_string_equal(p.role->place, "");
    assert_string_equal(p.role->county, "kauai");
    assert_int_equal(p.noffices, 1);
    assert_string_equal(p.offices[0].address, "4444 Rice St., Suite 235;Lihue, HI 96766");
    assert_string_equal(p.offices[0].voice, "808-241-4900");
    assert_string_equal(p.offices[0].fax, "808-241-6877");
    assert_int_equal(p.nlinks, 0);
    arena_free(a);
}

/* ---- Fields the current files do not use ------------------------------- */

static void test_optional_fields(void **state)
{
    (void)state;
    arena *a = arena_new();
    os_person p = parse_ok(a, "id: ocd-person/00000000-0000-4000-8000-000000000001\n"
                              "name: \"Robert \\\"Bob\\\" Q. Public Jr.\"\n"
                              "given_name: Robert\n"
                              "family_name: Public\n"
                              "middle_name: Q.\n"
                              "suffix: Jr.\n"
                              "birth_date: 1931\n"
                              "death_date: 2020-02-29\n"
                              "biography: |\n"
                              "  Served two terms.\n"
                              "\n"
                              "  Retired to the coast.\n"
                              "ids:\n"
                              "  youtube: bobpublic\n"
                              "  mastodon: '@bob@example.org'\n"
                              "party:\n"
                              "- name: Whig\n"
                              "  start_date: 1960\n"
                              "  end_date: 1970\n"
                              "- name: Democratic\n"
                              "  start_date: 1970\n"
                              "- name: Independent\n"
                              "  end_date: 1990\n"
                              "roles:\n"
                              "- type: lower\n"
                              "  district: 1\n"
                              "  jurisdiction: ocd-jurisdiction/country:us/state:wy/government\n"
                              "offices:\n"
                              "- classification: district\n"
                              "  name: Field office\n"
                              "  address: >\n"
                              "    1 Main St.,\n"
                              "    Cheyenne\n");
    assert_string_equal(p.name, "Robert \"Bob\" Q. Public Jr.");
    assert_string_equal(p.middle_name, "Q.");
    assert_string_equal(p.suffix, "Jr.");
    assert_string_equal(p.birth_date, "1931");
    assert_string_equal(p.death_date, "2020-02-29");
    assert_string_equal(p.biography, "Served two terms.\n\nRetired to the coast.\n");
    assert_string_equal(p.youtube, "bobpublic");
    assert_string_equal(p.twitter, "");
    assert_int_equal(p.nparties, 3);
    assert_string_equal(p.parties[0].start_date, "1960");
    assert_string_equal(p.parties[0].end_date, "1970");
    /* The first party without an end date. */
    assert_ptr_equal(p.party, &p.parties[1]);
    assert_string_equal(p.party->name, "Democratic");
    assert_string_equal(p.parties[2].name, "Independent");
    assert_string_equal(p.parties[2].start_date, "");
    assert_string_equal(p.role->district, "1");
    assert_string_equal(p.role->state, "WY");
    assert_string_equal(p.offices[0].name, "Field office");
    assert_string_equal(p.offices[0].address, "1 Main St., Cheyenne\n");
    arena_free(a);
}

static void test_current_party(void **state)
{
    (void)state;
    arena *a = arena_new();
    /* Every party ended: the last one. */
    os_person p = parse_ok(a, "id: x\nname: y\nparty:\n- name: A\n  end_date: 2001\n- name: B\n  end_date: 1999\n");
    assert_ptr_equal(p.party, &p.parties[1]);
    assert_string_equal(p.party->name, "B");
    /* Several open: the first of them. */
    p = parse_ok(a, "id: x\nname: y\nparty:\n- name: A\n  end_date: 2001\n- name: B\n- name: C\n");
    assert_string_equal(p.party->name, "B");
    p = parse_ok(a, "id: x\nname: y\nparty: []\n");
    assert_null(p.party);
    assert_int_equal(p.nparties, 0);
    arena_free(a);
}

static void test_current_role(void **state)
{
    (void)state;
    arena *a = arena_new();
    /* Several open roles: the first legislative one. */
    os_person p = parse_ok(a, "id: x\nname: y\nroles:\n"
                              "- {type: governor, jurisdiction: ocd-jurisdiction/country:us/state:ut/government}\n"
                              "- {type: lower, district: 4, end_date: 2030-01-01}\n"
                              "- {type: upper, district: 7}\n"
                              "- {type: lower, district: 9}\n");
    assert_ptr_equal(p.role, &p.roles[2]);
    assert_string_equal(p.role->district, "7");
    assert_string_equal(p.roles[0].state, "UT");
    assert_string_equal(p.roles[2].state, "");
    /* Open roles, none legislative: the first open one. */
    p = parse_ok(a, "id: x\nname: y\nroles:\n"
                    "- {type: lower, end_date: 2030-01-01}\n"
                    "- {type: governor}\n"
                    "- {type: mayor}\n");
    assert_ptr_equal(p.role, &p.roles[1]);
    /* None open: the latest end date, the first of equals. */
    p = parse_ok(a, "id: x\nname: y\nroles:\n"
                    "- {type: lower, end_date: 2019-01-01}\n"
                    "- {type: governor, end_date: '2027-01-04'}\n"
                    "- {type: upper, end_date: 2027-01-04}\n"
                    "- {type: mayor, end_date: 2027}\n");
    assert_ptr_equal(p.role, &p.roles[1]);
    p = parse_ok(a, "id: x\nname: y\n");
    assert_null(p.role);
    assert_null(p.roles);
    assert_int_equal(p.nroles, 0);
    assert_int_equal(p.noffices, 0);
    assert_null(p.offices);
    arena_free(a);
}

static void test_homepage(void **state)
{
    (void)state;
    arena *a = arena_new();
    os_person p = parse_ok(a, "id: x\nname: y\nlinks:\n- url: a\n  note: Homepage\n- url: b\n  note: homepage\n"
                              "- url: c\n  note: homepage\n");
    assert_string_equal(p.homepage, "b");
    arena_free(a);
}

/* ---- Odd values ------------------------------------------------------- */

static void test_scalars_as_text(void **state)
{
    (void)state;
    arena *a = arena_new();
    os_person p = parse_ok(a, "id: 12\n"
                              "name: true\n"
                              "given_name: 1.5e3\n"
                              "family_name: 'null'\n"
                              "middle_name: ~\n"
                              "suffix: null\n"
                              "gender: !!str yes\n"
                              "email: \"\"\n"
                              "image:\n"
                              "birth_date: 1960-03-01\n"
                              "death_date: NULL\n"
                              "biography: &anchor Kept\n"
                              "roles:\n"
                              "- district: 07\n"
                              "  type: \"lower\"\n"
                              "  start_date: 2023-01-09T10:00:00Z\n");
    assert_string_equal(p.id, "12");
    assert_string_equal(p.name, "true");
    assert_string_equal(p.given_name, "1.5e3");
    assert_string_equal(p.family_name, "null");
    assert_string_equal(p.middle_name, "");
    assert_string_equal(p.suffix, "");
    assert_string_equal(p.gender, "yes");
    assert_string_equal(p.email, "");
    assert_string_equal(p.image, "");
    assert_string_equal(p.birth_date, "1960-03-01");
    assert_string_equal(p.death_date, "");
    assert_string_equal(p.biography, "Kept");
    assert_string_equal(p.roles[0].district, "07");
    assert_string_equal(p.roles[0].type, "lower");
    assert_string_equal(p.roles[0].start_date, "2023-01-09T10:00:00Z");
    arena_free(a);
}

static void test_null_collections(void **state)
{
    (void)state;
    arena *a = arena_new();
    os_person p = parse_ok(a, "id: x\nname: y\nparty:\nroles: ~\noffices: []\nlinks: null\nids:\n");
    assert_int_equal(p.nparties, 0);
    assert_int_equal(p.nroles, 0);
    assert_int_equal(p.noffices, 0);
    assert_int_equal(p.nlinks, 0);
    assert_string_equal(p.twitter, "");
    assert_null(p.role);
    arena_free(a);
}

static void test_unknown_keys_skipped(void **state)
{
    (void)state;
    arena *a = arena_new();
    os_person p = parse_ok(a, "id: x\n"
                              "extras:\n"
                              "  committees: [a, b, {c: [d, {e: f}]}]\n"
                              "  name: not the name\n"
                              "name: y\n"
                              "contact_details:\n"
                              "- note: Capitol Office\n"
                              "  address: somewhere\n"
                              "roles:\n"
                              "- type: upper\n"
                              "  seat: {number: 3, shared: [1, 2]}\n"
                              "  district: '5'\n"
                              "ids:\n"
                              "  other: [1, 2]\n"
                              "  twitter: tw\n"
                              "\"\": empty key\n"
                              "? complex\n"
                              ": value\n");
    assert_string_equal(p.name, "y");
    assert_int_equal(p.noffices, 0);
    assert_int_equal(p.nroles, 1);
    assert_string_equal(p.roles[0].district, "5");
    assert_string_equal(p.twitter, "tw");
    arena_free(a);
}

static void test_byte_order_mark_and_documents(void **state)
{
    (void)state;
    arena *a = arena_new();
    os_person p = parse_ok(a, "\xEF\xBB\xBFid: x\nname: y\n");
    assert_string_equal(p.id, "x");
    p = parse_ok(a, "%YAML 1.1\n---\nid: x\nname: y\n...\n");
    assert_string_equal(p.name, "y");
    p = parse_ok(a, "# a comment\r\nid: x\r\nname: \"y\"   # and another\r\n");
    assert_string_equal(p.name, "y");
    p = parse_ok(a, "{id: x, name: 'it''s y'}");
    assert_string_equal(p.name, "it's y");
    arena_free(a);
}

static void test_jurisdiction(void **state)
{
    (void)state;
    arena *a = arena_new();
    static const struct {
        const char *in, *state, *place, *county;
    } cases[] = {
        {"ocd-jurisdiction/country:us/state:nh/government", "NH", "", ""},
        {"ocd-jurisdiction/country:us/district:dc/government", "DC", "", ""},
        {"ocd-jurisdiction/country:us/territory:pr/government", "PR", "", ""},
        {"ocd-jurisdiction/country:us/state:ca/place:los_angeles/government", "CA", "los_angeles", ""},
        {"ocd-jurisdiction/country:us/state:hi/county:kauai/government", "HI", "", "kauai"},
        {"ocd-jurisdiction/country:us/state:TX/place:coeur_d~alene/government", "TX", "coeur_d~alene", ""},
        {"ocd-jurisdiction/country:us/state:nyc/government", "", "", ""},
        {"ocd-jurisdiction/country:us/state:n1/government", "", "", ""},
        {"ocd-jurisdiction/country:us/state:/government", "", "", ""},
        {"ocd-jurisdiction/country:us/government", "", "", ""},
        {"state:ak/state:nh/place:a/place:b", "AK", "a", ""},
        {"state:ak", "AK", "", ""},
        {"//state:ak//", "AK", "", ""},
        {"", "", "", ""},
    };
    for (size_t i = 0; i < CT_ARRAY_LEN(cases); i++) {
        const char *st = NULL, *pl = NULL, *co = NULL;
        openstates_jurisdiction(cases[i].in, a, &st, &pl, &co);
        assert_string_equal(st, cases[i].state);
        assert_string_equal(pl, cases[i].place);
        assert_string_equal(co, cases[i].county);
    }
    arena_free(a);
}

/* ---- Errors ----------------------------------------------------------- */

static void test_required_fields(void **state)
{
    (void)state;
    parse_err("name: y\n", "no id");
    parse_err("id: x\n", "no name");
    parse_err("id: ~\nname: y\n", "no id");
    parse_err("id: x\nname: ''\n", "no name");
    parse_err("", "no id");
    parse_err("# nothing\n", "no id");
    parse_err("---\n", "no id");
    parse_err_n(NULL, 0, "no id");
}

static void test_not_a_mapping(void **state)
{
    (void)state;
    parse_err("- name: Manchester\n  id: ocd-jurisdiction/country:us/state:nh/place:manchester/government\n",
              "line 1: the file should be a mapping of fields, not a list");
    parse_err("\n\njust text\n", "line 3: the file should be a mapping of fields, not text");
    parse_err("id: x\nname: y\n---\nid: z\nname: w\n", "line 3: a second YAML document (one person per file)");
}

static void test_wrong_types(void **state)
{
    (void)state;
    parse_err("id: x\nname: y\nroles:\n  type: upper\n", "line 4: roles should be a list, not a mapping");
    parse_err("id: x\nname: y\nparty: Democratic\n", "line 3: party should be a list, not text");
    parse_err("id: x\nname: [y]\n", "line 2: name should be text, not a list");
    parse_err("id: {a: b}\nname: y\n", "line 1: id should be text, not a mapping");
    parse_err("id: x\nname: y\nids: [tw]\n", "line 3: ids should be a mapping, not a list");
    parse_err("id: x\nname: y\nids:\n  twitter:\n    - a\n", "line 5: ids.twitter should be text, not a list");
    parse_err("id: x\nname: y\nroles:\n- type: upper\n  district:\n    number: 5\n",
              "line 6: roles.district should be text, not a mapping");
    parse_err("id: x\nname: y\nlinks:\n- https://example.org\n",
              "line 4: an entry of links should be a mapping, not text");
    parse_err("id: x\nname: y\noffices:\n-\n", "line 4: an entry of offices should be a mapping, not text");
    parse_err("id: x\nname: y\noffices:\n- [a]\n", "line 4: an entry of offices should be a mapping, not a list");
    parse_err("id: x\nname: y\n[a]: b\n", "line 3: a key should be text");
    parse_err("id: x\nname: y\nroles:\n- {type: upper, [1]: 2}\n", "line 4: a key in roles should be text");
}

static void test_duplicate_keys(void **state)
{
    (void)state;
    parse_err("id: x\nid: y\nname: z\n", "line 2: id is given twice");
    parse_err("id: x\nname: y\nroles:\n- type: upper\n  type: lower\n", "line 5: roles.type is given twice");
    parse_err("id: x\nname: y\nids: {twitter: a, twitter: b}\n", "line 3: ids.twitter is given twice");
    parse_err("id: x\nname: y\nroles: []\nroles: []\n", "line 4: roles is given twice");
    /* Unknown keys may repeat: they are skipped. */
    arena *a = arena_new();
    os_person p = parse_ok(a, "id: x\nname: y\nsources: 1\nsources: 2\n");
    assert_string_equal(p.id, "x");
    arena_free(a);
}

static void test_aliases_refused(void **state)
{
    (void)state;
    parse_err("id: &i x\nname: *i\n", "line 2: YAML aliases are not accepted");
    /* The billion laughs: refused at the first alias, before any work. */
    parse_err("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
              "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
              "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
              "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
              "id: x\nname: y\n",
              "line 2: YAML aliases are not accepted");
    parse_err("id: x\nname: y\n<<: *base\n", "line 3: YAML aliases are not accepted");
}

static void test_nesting_limit(void **state)
{
    (void)state;
    buf b = {0};
    /* The file's mapping is level 1: OS_MAX_DEPTH - 1 lists inside it are
     * allowed, one more is not. */
    buf_adds(&b, "id: x\nname: y\nextras: ");
    for (int i = 0; i < OS_MAX_DEPTH - 1; i++)
        buf_addc(&b, '[');
    for (int i = 0; i < OS_MAX_DEPTH - 1; i++)
        buf_addc(&b, ']');
    arena *a = arena_new();
    os_person p = parse_ok(a, buf_str(&b));
    assert_string_equal(p.name, "y");
    arena_free(a);

    buf_reset(&b);
    buf_adds(&b, "id: x\nname: y\nextras: ");
    for (int i = 0; i < 100000; i++)
        buf_addc(&b, '[');
    char want[80];
    snprintf(want, sizeof want, "line 3: lists and mappings nested more than %d deep", OS_MAX_DEPTH);
    parse_err(buf_str(&b), want);
    buf_free(&b);
}

static void test_item_limits(void **state)
{
    (void)state;
    buf b = {0};
    buf_adds(&b, "id: x\nname: y\nroles:\n");
    for (int i = 0; i < OS_MAX_ITEMS; i++)
        buf_printf(&b, "- {type: lower, district: '%d'}\n", i);
    arena *a = arena_new();
    os_person p = parse_ok(a, buf_str(&b));
    assert_int_equal(p.nroles, OS_MAX_ITEMS);
    assert_string_equal(p.roles[OS_MAX_ITEMS - 1].district, "999");
    assert_ptr_equal(p.role, &p.roles[0]);
    arena_free(a);
    buf_adds(&b, "- {type: upper}\n");
    char want[80];
    snprintf(want, sizeof want, "line %d: roles has more than %d entries", OS_MAX_ITEMS + 4, OS_MAX_ITEMS);
    parse_err(buf_str(&b), want);

    /* Skipped lists and mappings have the same limit. */
    buf_reset(&b);
    buf_adds(&b, "id: x\nname: y\nsources: [");
    for (int i = 0; i <= OS_MAX_ITEMS; i++)
        buf_adds(&b, "1,");
    buf_adds(&b, "]\n");
    snprintf(want, sizeof want, "line 3: more than %d entries in one list or mapping", OS_MAX_ITEMS);
    parse_err(buf_str(&b), want);
    buf_reset(&b);
    buf_adds(&b, "id: x\nname: y\nextras:\n");
    for (int i = 0; i <= OS_MAX_ITEMS; i++)
        buf_printf(&b, "  k%d: v\n", i);
    snprintf(want, sizeof want, "line %d: more than %d entries in one list or mapping", OS_MAX_ITEMS + 4,
             OS_MAX_ITEMS);
    parse_err(buf_str(&b), want);
    buf_reset(&b);
    buf_adds(&b, "id: x\nname: y\n");
    for (int i = 0; i <= OS_MAX_ITEMS; i++)
        buf_printf(&b, "k%d: v\n", i);
    snprintf(want, sizeof want, "line %d: more than %d keys in the file", OS_MAX_ITEMS + 1, OS_MAX_ITEMS);
    parse_err(buf_str(&b), want);
    buf_free(&b);
}

static void test_size_limit(void **state)
{
    (void)state;
    size_t n = OS_MAX_BYTES + 1;
    char *big = xmalloc(n);
    memset(big, '#', n);
    memcpy(big, "id: x\nname: y\n", 14);
    big[14] = '#';
    char want[80];
    snprintf(want, sizeof want, "the file is larger than %d bytes", OS_MAX_BYTES);
    parse_err_n(big, n, want);
    /* Exactly the limit is fine. */
    arena *a = arena_new();
    os_person p;
    char err[200];
    assert_int_equal(openstates_parse(big, n - 1, a, &p, err, sizeof err), 0);
    assert_string_equal(p.name, "y");
    arena_free(a);
    free(big);
}

static void test_bad_text(void **state)
{
    (void)state;
    parse_err("id: x\nname: \"a\\0b\"\n", "line 2: name holds a NUL character");
    parse_err("id: x\nname: y\nroles:\n- district: \"\\x00\"\n", "line 4: roles.district holds a NUL character");
    parse_err_n("id: x\nname: a\0b\n", 15, "line 2: control characters are not allowed (byte 0x00)");
    parse_err("id: x\nname: \xC3(\n", "line 2: invalid trailing UTF-8 octet (byte 0x28)");
    parse_err("id: x\n\nname: \xFF\n", "line 3: invalid leading UTF-8 octet (byte 0xFF)");
    parse_err("id: x\nextras: \x01\nname: y\n", "line 2: control characters are not allowed (byte 0x01)");
    parse_err("id: x\nname: \"\\uD800\"\n",
              "line 2: found invalid Unicode character escape code (while parsing a quoted scalar)");
    /* UTF-16 is refused. */
    parse_err_n("\xFF\xFEi\0d\0:\0 \0x\0\n\0", 14, "line 1: invalid leading UTF-8 octet (byte 0xFF)");
}

static void test_syntax_errors(void **state)
{
    (void)state;
    parse_err("id: x\nname: y\n  bad: 1\n", "line 3: mapping values are not allowed in this context");
    parse_err("id: x\nname: \"y\nroles: []\n",
              "line 3: found unexpected end of stream (while scanning a quoted scalar at line 2)");
    /* libyaml puts the end of the input on a line of its own: the message
     * names the last line of the file instead. */
    parse_err("id: x\nname: y\nroles", "line 3: could not find expected ':' (while scanning a simple key)");
    parse_err("id: x\nname: y\nroles\n\n", "line 3: could not find expected ':' (while scanning a simple key)");
    parse_err("id: x\r\nname: y\r\nroles\r\n", "line 3: could not find expected ':' (while scanning a simple key)");
    parse_err("id: x\nname: y\xE2\x80\xA8z: [\n",
              "line 3: did not find expected node content (while parsing a flow node)");
    parse_err("id: x\nroles:\n- type: a\n b: c\nname: y\n",
              "line 4: did not find expected key (while parsing a block mapping at line 1)");
    parse_err("id: x\nname: y\nextras: [y\n",
              "line 3: did not find expected ',' or ']' (while parsing a flow sequence)");
    /* The first problem in reading order is the one reported. */
    parse_err("id: x\nname: [y\n", "line 2: name should be text, not a list");
    parse_err("id: x\n\tname: y\n",
              "line 2: found a tab character that violates indentation (while scanning a plain scalar at line 1)");
    parse_err("id: !<x x\nname: y\n", "line 1: did not find the expected '>' (while scanning a tag)");
}

static void test_error_buffer(void **state)
{
    (void)state;
    arena *a = arena_new();
    os_person p;
    char err[8];
    assert_int_equal(openstates_parse("id: x\nid: y\n", 12, a, &p, err, sizeof err), -1);
    assert_string_equal(err, "line 2:");
    assert_int_equal(openstates_parse("id: x\n", 6, a, &p, NULL, 0), -1);
    assert_int_equal(openstates_parse("id: x\nname: y\n", 14, a, &p, NULL, 0), 0);
    assert_string_equal(p.name, "y");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tobin),
        cmocka_unit_test(test_sununu),
        cmocka_unit_test(test_dion),
        cmocka_unit_test(test_montenegro),
        cmocka_unit_test(test_rodriguez),
        cmocka_unit_test(test_mendez),
        cmocka_unit_test(test_crawford),
        cmocka_unit_test(test_kawakami),
        cmocka_unit_test(test_optional_fields),
        cmocka_unit_test(test_current_party),
        cmocka_unit_test(test_current_role),
        cmocka_unit_test(test_homepage),
        cmocka_unit_test(test_scalars_as_text),
        cmocka_unit_test(test_null_collections),
        cmocka_unit_test(test_unknown_keys_skipped),
        cmocka_unit_test(test_byte_order_mark_and_documents),
        cmocka_unit_test(test_jurisdiction),
        cmocka_unit_test(test_required_fields),
        cmocka_unit_test(test_not_a_mapping),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_aliases_refused),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_item_limits),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_bad_text),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_error_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
