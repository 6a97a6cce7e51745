/* two_factor: enrolment, recovery codes, turning it off, the second step of
 * logging on, and the administrators' view (two_factor.h).
 *
 * Every handler reads the user's row FOR UPDATE first, so that two requests
 * with the same code take turns: the second sees the step the first used
 * (totp_last_step) and is refused. */
#include "two_factor.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "crypto.h"
#include "handlers.h"
#include "json.h"
#include "lockout.h"
#include "log.h"
#include "qr.h"
#include "session.h"
#include "totp.h"

/* A pending secret is offered this long; the page then makes a new one. */
#define PENDING_MINUTES 15
#define RECOVERY_COUNT 10
/* The codes of the steps just before and after the current one work too:
 * phone clocks drift and people type slowly (RFC 6238 section 5.2). */
#define WINDOW 1
#define SEALED_MAX 128 /* users.totp_secret VARBINARY(128) */
#define SECRET_MAX 64
#define QR_SCALE 6

static const char SQL_STATE[] =
    "SELECT u.totp_secret, u.totp_pending, u.totp_pending_at > UTC_TIMESTAMP(6) - INTERVAL ? MINUTE,"
    " u.totp_last_step, DATE_FORMAT(u.totp_enrolled_at, '%Y-%m-%d %H:%i'), t.require_two_factor,"
    " (SELECT COUNT(*) FROM recovery_codes rc WHERE rc.client_id = u.client_id AND rc.user_id = u.id),"
    " u.password_hash"
    " FROM users u JOIN user_types t ON t.client_id = u.client_id AND t.id = u.user_type_id"
    " WHERE u.client_id = ? AND u.id = ? FOR UPDATE";
static const char SQL_PENDING[] =
    "UPDATE users SET totp_pending = ?, totp_pending_at = UTC_TIMESTAMP(6)"
    " WHERE client_id = ? AND id = ? AND totp_secret IS NULL";
static const char SQL_ENROL[] =
    "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_pending_at = NULL,"
    " totp_last_step = ?, totp_enrolled_at = UTC_TIMESTAMP(6)"
    " WHERE client_id = ? AND id = ? AND totp_secret IS NULL AND totp_pending IS NOT NULL";
static const char SQL_LAST_STEP[] = "UPDATE users SET totp_last_step = ? WHERE client_id = ? AND id = ?";
static const char SQL_CODES_DELETE[] = "DELETE FROM recovery_codes WHERE client_id = ? AND user_id = ?";
static const char SQL_CODE_INSERT[] =
    "INSERT INTO recovery_codes (client_id, user_id, code_hash, created_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6))";
static const char SQL_CODE_USE[] = "DELETE FROM recovery_codes WHERE client_id = ? AND user_id = ? AND code_hash = ?";
static const char SQL_CODES_LEFT[] = "SELECT COUNT(*) FROM recovery_codes WHERE client_id = ? AND user_id = ?";
static const char SQL_ENROLLED[] = "SELECT totp_secret IS NOT NULL FROM users WHERE client_id = ? AND id = ? FOR UPDATE";
static const char SQL_CLEAR[] =
    "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_pending_at = NULL, totp_last_step = NULL,"
    " totp_enrolled_at = NULL WHERE client_id = ? AND id = ?";
static const char SQL_ADMIN_VIEW[] =
    "SELECT u.totp_secret IS NOT NULL, DATE_FORMAT(u.totp_enrolled_at, '%Y-%m-%d %H:%i'), t.require_two_factor,"
    " (SELECT COUNT(*) FROM recovery_codes rc WHERE rc.client_id = u.client_id AND rc.user_id = u.id)"
    " FROM users u JOIN user_types t ON t.client_id = u.client_id AND t.id = u.user_type_id"
    " WHERE u.client_id = ? AND u.id = ?";

/* A user's two-factor as stored, with the secrets opened. */
typedef struct tf_state {
    long long client_id, user_id;
    bool enrolled;    /* a secret is set */
    bool usable;      /* ... and it opened with the key */
    unsigned char secret[SECRET_MAX];
    size_t secret_len;
    bool pending;     /* a pending secret younger than PENDING_MINUTES that opened */
    unsigned char pend[SECRET_MAX];
    size_t pend_len;
    int64_t last_step; /* -1 when no code was used yet */
    const char *enrolled_at;
    bool required;    /* the user type requires two-factor */
    long long codes;  /* recovery codes left */
    const char *password_hash;
} tf_state;

/* Binds a sealed value to its user: one copied into another row fails to open. */
static size_t aad_of(long long client_id, long long user_id, char out[64])
{
    int n = snprintf(out, 64, "ctrack-totp:%lld:%lld", client_id, user_id);
    return n > 0 && n < 64 ? (size_t)n : 0;
}

static bool open_sealed(request *r, const tf_state *st, const char *sealed, size_t n, unsigned char *out,
                        size_t *len)
{
    if (!sealed || !r->cf->has_two_factor_key)
        return false;
    char aad[64];
    size_t al = aad_of(st->client_id, st->user_id, aad);
    int k = crypto_open(r->cf->two_factor_key, aad, al, sealed, n, out, SECRET_MAX);
    if (k < 0) {
        log_warn("two-factor: a secret of user %lld does not open with TwoFactor.KeyFile (another key?)",
                 st->user_id);
        return false;
    }
    *len = (size_t)k;
    return true;
}

static void forget(tf_state *st)
{
    crypto_cleanse(st->secret, sizeof st->secret);
    crypto_cleanse(st->pend, sizeof st->pend);
}

/* Reads (and locks) the user's row. 1 with *st filled, 0 when there is no
 * such user, or a negative enum db_rc. */
static int load_state(request *r, db *d, long long client_id, long long user_id, tf_state *st)
{
    memset(st, 0, sizeof *st);
    st->client_id = client_id;
    st->user_id = user_id;
    st->last_step = -1;
    db_stmt *s = db_stmt_get(d, SQL_STATE);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, PENDING_MINUTES);
    db_bind_int(s, 1, client_id);
    db_bind_int(s, 2, user_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) <= 0)
        return rc;
    size_t n;
    const char *sealed = db_text(s, 0, &n);
    st->enrolled = sealed != NULL;
    st->usable = st->enrolled && open_sealed(r, st, sealed, n, st->secret, &st->secret_len);
    sealed = db_text(s, 1, &n);
    st->pending = !st->enrolled && sealed && db_int(s, 2) != 0 &&
                  open_sealed(r, st, sealed, n, st->pend, &st->pend_len);
    if (!db_is_null(s, 3))
        st->last_step = db_int(s, 3);
    st->enrolled_at = arena_strdup(r->mem, db_text(s, 4, NULL) ? db_text(s, 4, NULL) : "");
    st->required = db_int(s, 5) != 0;
    st->codes = db_int(s, 6);
    st->password_hash = arena_strdup(r->mem, db_text(s, 7, NULL) ? db_text(s, 7, NULL) : "");
    db_done(s);
    return 1;
}

/* Runs a statement that binds (client_id, user_id) and nothing else. */
static int by_user(db *d, const char *sql, long long client_id, long long user_id, long long *affected)
{
    db_stmt *s = db_stmt_get(d, sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_id);
    int rc = db_run(s);
    if (rc == DB_OK && affected)
        *affected = (long long)db_affected(s);
    return rc;
}

static int codes_left(db *d, long long client_id, long long user_id, long long *n)
{
    db_stmt *s = db_stmt_get(d, SQL_CODES_LEFT);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_id);
    return db_one_int(s, n);
}

/* A fresh pending secret for a user who has none (or an old one). */
static int new_pending(request *r, db *d, tf_state *st)
{
    unsigned char raw[TOTP_SECRET_BYTES], sealed[SEALED_MAX];
    char aad[64];
    size_t al = aad_of(st->client_id, st->user_id, aad);
    if (crypto_random(raw, sizeof raw) != 0)
        return DB_ERR;
    int n = crypto_seal(r->cf->two_factor_key, aad, al, raw, sizeof raw, sealed, sizeof sealed);
    if (n < 0) {
        crypto_cleanse(raw, sizeof raw);
        return DB_ERR;
    }
    db_stmt *s = db_stmt_get(d, SQL_PENDING);
    if (!s) {
        crypto_cleanse(raw, sizeof raw);
        return DB_ERR;
    }
    db_bind_blob(s, 0, sealed, (size_t)n);
    db_bind_int(s, 1, st->client_id);
    db_bind_int(s, 2, st->user_id);
    int rc = db_run(s);
    if (rc == DB_OK) {
        memcpy(st->pend, raw, sizeof raw);
        st->pend_len = sizeof raw;
        st->pending = true;
    }
    crypto_cleanse(raw, sizeof raw);
    return rc;
}

/* Checks a 6-digit code against the enrolled secret, and on a match marks
 * its step as used. 1 right, 0 wrong (or replayed), or a negative db rc. */
static int use_totp(db *d, tf_state *st, const char *code)
{
    if (!st->usable)
        return 0;
    int64_t step = 0;
    int ok = totp_verify(CRYPTO_SHA1, st->secret, st->secret_len, TOTP_DIGITS, TOTP_PERIOD, (int64_t)time(NULL),
                         WINDOW, st->last_step, code, &step);
    if (ok <= 0)
        return ok < 0 ? DB_ERR : 0;
    db_stmt *s = db_stmt_get(d, SQL_LAST_STEP);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, step);
    db_bind_int(s, 1, st->client_id);
    db_bind_int(s, 2, st->user_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    st->last_step = step;
    return 1;
}

/* Uses up a recovery code (canonical form): 1 when it was one of the
 * user's, 0 when not, or a negative db rc. */
static int use_recovery(db *d, tf_state *st, const char *canon)
{
    unsigned char h[32];
    crypto_sha256(canon, strlen(canon), h);
    db_stmt *s = db_stmt_get(d, SQL_CODE_USE);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, st->client_id);
    db_bind_int(s, 1, st->user_id);
    db_bind_blob(s, 2, h, sizeof h);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if (db_affected(s) != 1)
        return 0;
    if ((rc = codes_left(d, st->client_id, st->user_id, &st->codes)) != DB_OK)
        return rc;
    return 1;
}

/* Replaces the user's recovery codes with RECOVERY_COUNT new ones, put on
 * the page (TwoFactor.NewCodes) to be shown this once; only their SHA-256
 * is stored. *removed gets the number of old ones. */
static int new_recovery_codes(request *r, db *d, tf_state *st, long long *removed)
{
    int rc = by_user(d, SQL_CODES_DELETE, st->client_id, st->user_id, removed);
    if (rc != DB_OK)
        return rc;
    for (int i = 0; i < RECOVERY_COUNT; i++) {
        unsigned char raw[TOTP_RECOVERY_BYTES], h[32];
        char shown[TOTP_RECOVERY_SHOWN], canon[TOTP_RECOVERY_CHARS + 1];
        if (crypto_random(raw, sizeof raw) != 0)
            return DB_ERR;
        totp_recovery_format(raw, shown);
        crypto_cleanse(raw, sizeof raw);
        totp_parse_recovery(shown, strlen(shown), canon);
        crypto_sha256(canon, strlen(canon), h);
        db_stmt *s = db_stmt_get(d, SQL_CODE_INSERT);
        if (!s)
            return DB_ERR;
        db_bind_int(s, 0, st->client_id);
        db_bind_int(s, 1, st->user_id);
        db_bind_blob(s, 2, h, sizeof h);
        rc = db_run(s);
        if (rc == DB_DUP) { /* 50 random bits twice: draw again */
            i--;
            continue;
        }
        if (rc != DB_OK)
            return rc;
        page_set(r->pg, shown, "TwoFactor.NewCodes.%d", i);
        crypto_cleanse(shown, sizeof shown);
        crypto_cleanse(canon, sizeof canon);
    }
    st->codes = RECOVERY_COUNT;
    return DB_OK;
}

int two_factor_clear(db *d, long long client_id, long long user_id, bool *was_enrolled, long long *codes)
{
    db_stmt *s = db_stmt_get(d, SQL_ENROLLED);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) < 0)
        return rc;
    bool had = rc == 1 && db_int(s, 0) != 0;
    db_done(s);
    long long removed = 0;
    if ((rc = by_user(d, SQL_CLEAR, client_id, user_id, NULL)) != DB_OK ||
        (rc = by_user(d, SQL_CODES_DELETE, client_id, user_id, &removed)) != DB_OK)
        return rc;
    if (was_enrolled)
        *was_enrolled = had;
    if (codes)
        *codes = removed;
    return DB_OK;
}

/* ---- the account page ---- */

/* The otpauth URI an authenticator app reads from the QR code (the Key
 * Uri Format): label ISSUER:USERNAME, the secret in base32. */
static void otpauth_uri(request *r, const tf_state *st, buf *out)
{
    char b32[base32_encoded_len(SECRET_MAX, false) + 1];
    base32_encode(st->pend, st->pend_len, false, b32);
    buf_adds(out, "otpauth://totp/");
    buf_add_url(out, r->cf->two_factor_issuer);
    buf_addc(out, ':');
    buf_add_url(out, r->who.username);
    buf_printf(out, "?secret=%s&issuer=", b32);
    buf_add_url(out, r->cf->two_factor_issuer);
    buf_printf(out, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS, TOTP_PERIOD);
    crypto_cleanse(b32, sizeof b32);
}

static int show_page(request *r, tf_state *st, int status)
{
    page_set(r->pg, "Two-factor logon", "Page.Title");
    r->template_name = "account_two_factor.cs";
    r->object_type = "user";
    r->object_id = st->user_id;
    if (!r->cf->has_two_factor_key)
        page_set(r->pg, "1", "TwoFactor.unavailable");
    if (st->required)
        page_set(r->pg, "1", "TwoFactor.required");
    page_set_int(r->pg, PENDING_MINUTES, "TwoFactor.pending_minutes");
    if (st->enrolled) {
        page_set(r->pg, "1", "TwoFactor.enrolled");
        page_set(r->pg, st->enrolled_at, "TwoFactor.since");
        page_set_int(r->pg, st->codes, "TwoFactor.codes");
    } else if (st->pending) {
        /* Groups of four for typing it in by hand. */
        char b32[base32_encoded_len(SECRET_MAX, false) + 1];
        size_t n = base32_encode(st->pend, st->pend_len, false, b32);
        buf grouped = {0};
        for (size_t i = 0; i < n; i++) {
            if (i && i % 4 == 0)
                buf_addc(&grouped, ' ');
            buf_addc(&grouped, b32[i]);
        }
        page_set(r->pg, buf_str(&grouped), "TwoFactor.secret");
        page_set(r->pg, r->cf->two_factor_issuer, "TwoFactor.issuer");
        crypto_cleanse(b32, sizeof b32);
        crypto_cleanse(grouped.data, grouped.len);
        buf_free(&grouped);
    }
    forget(st);
    return status;
}

static int load_own(request *r, db *d, tf_state *st)
{
    int rc = load_state(r, d, r->who.client_id, r->who.user_id, st);
    return rc == 0 ? 404 : rc < 0 ? rc : 0;
}

/* load_own for the actions of an enrolled user: one who is not enrolled is
 * sent back to the page (303). */
static int load_enrolled(request *r, db *d, tf_state *st)
{
    int rc = load_own(r, d, st);
    if (rc || st->enrolled)
        return rc;
    forget(st);
    http_redirect(r, "/account/two-factor");
    return 303;
}

int account_two_factor(request *r, db *d)
{
    tf_state st;
    int rc = load_own(r, d, &st);
    if (rc)
        return rc;
    if (!st.enrolled && !st.pending && r->cf->has_two_factor_key) {
        if ((rc = new_pending(r, d, &st)) != DB_OK)
            return rc;
        buf_adds(&r->detail, "{\"pending\":\"new\"}");
    }
    if (params_get(&r->qs, "off"))
        page_set(r->pg, "Two-factor logon is off. Your recovery codes no longer work.", "Page.Flash");
    else if (params_get(&r->qs, "recovery") && st.enrolled)
        page_set(r->pg,
                 arena_printf(r->mem, "You logged on with a recovery code; it is used up. %lld recovery code%s left%s.",
                              st.codes, st.codes == 1 ? " is" : "s are",
                              st.codes < 4 ? ": make new ones below" : ""),
                 "Page.Flash");
    return show_page(r, &st, 200);
}

int account_two_factor_qr(request *r, db *d)
{
    tf_state st;
    int rc = load_own(r, d, &st);
    if (rc)
        return rc;
    r->object_type = "user";
    r->object_id = st.user_id;
    /* Only the pending secret is ever drawn: an enrolled one never leaves. */
    if (st.enrolled || !st.pending) {
        forget(&st);
        return 404;
    }
    buf uri = {0};
    otpauth_uri(r, &st, &uri);
    forget(&st);
    rc = qr_svg(buf_str(&uri), QR_SCALE, &r->body_out);
    crypto_cleanse(uri.data, uri.len);
    buf_free(&uri);
    if (rc != 0)
        return 500;
    r->content_type_out = "image/svg+xml";
    return 200;
}

/* The enrolment form's password: 1 right, 0 wrong or missing (the message
 * in Errors.password; a wrong one is counted like a failed logon), or a
 * negative db rc. */
static int check_password(request *r, db *d, tf_state *st)
{
    int rc = lockout_check(r, d, r->who.username);
    if (rc < 0)
        return rc;
    if (rc != LOCKOUT_OPEN) {
        page_set(r->pg, "Too many wrong codes or passwords: try again later.", "Errors.password");
        return 0;
    }
    size_t n = 0;
    const char *pw = params_getn(&r->form, "password", &n);
    if (!pw || n == 0 || n > PASSWORD_MAX_BYTES) {
        page_set(r->pg, "Type your password.", "Errors.password");
        return 0;
    }
    if (auth_password_matches(r, pw, n, st->password_hash))
        return 1;
    if ((rc = lockout_failure(r, d, r->who.username)) < 0)
        return rc;
    r->keep_work = true;
    page_set(r->pg,
             rc == LOCKOUT_LOCKED_NOW
                 ? "That is not right, and after too many failures your username is now locked for a while."
                 : "That password is not right.",
             "Errors.password");
    buf_printf(&r->detail, "{\"refused\":\"wrong password\"%s}", rc == LOCKOUT_LOCKED_NOW ? ",\"locked\":true" : "");
    return 0;
}

int account_two_factor_enrol(request *r, db *d)
{
    tf_state st;
    int rc = load_own(r, d, &st);
    if (rc)
        return rc;
    if (st.enrolled) {
        page_set(r->pg, "Two-factor logon is already on.", "Form.Error");
        return show_page(r, &st, 422);
    }
    if (!r->cf->has_two_factor_key) {
        page_set(r->pg, "Two-factor logon is not available on this installation.", "Form.Error");
        return show_page(r, &st, 422);
    }
    if (!st.pending) {
        /* The page kept the new secret: this answer must commit it. */
        if ((rc = new_pending(r, d, &st)) != DB_OK)
            return rc;
        r->keep_work = true;
        page_set(r->pg,
                 arena_printf(r->mem, "The secret shown before was older than %d minutes and was replaced: scan the "
                              "new QR code below, then type the code your app shows for it.", PENDING_MINUTES),
                 "Errors.code");
        return show_page(r, &st, 422);
    }
    /* Adding a factor changes how the account logs on: the password is
     * asked again, and a wrong one counts as a failed logon. */
    if ((rc = check_password(r, d, &st)) != 1)
        return rc < 0 ? rc : show_page(r, &st, 422);
    size_t n;
    const char *typed = params_getn(&r->form, "code", &n);
    char code[9];
    if (!typed || totp_parse_code(typed, n, code) != TOTP_DIGITS) {
        page_set(r->pg, "Type the 6 digits your app shows.", "Errors.code");
        return show_page(r, &st, 422);
    }
    int64_t step = 0;
    int ok = totp_verify(CRYPTO_SHA1, st.pend, st.pend_len, TOTP_DIGITS, TOTP_PERIOD, (int64_t)time(NULL), WINDOW, -1,
                         code, &step);
    if (ok < 0)
        return DB_ERR;
    if (!ok) {
        page_set(r->pg,
                 "That code is not right. Type the code your app shows now for this account (and check that the "
                 "phone's clock is right).",
                 "Errors.code");
        return show_page(r, &st, 422);
    }
    db_stmt *s = db_stmt_get(d, SQL_ENROL);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, step);
    db_bind_int(s, 1, st.client_id);
    db_bind_int(s, 2, st.user_id);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    if (db_affected(s) != 1) {
        log_error("two-factor: enrolment of user %lld changed no row", st.user_id);
        return DB_ERR;
    }
    long long removed = 0, ended = 0;
    if ((rc = load_own(r, d, &st)) != 0)
        return rc;
    if ((rc = new_recovery_codes(r, d, &st, &removed)) != DB_OK)
        return rc;
    /* A new factor: sessions elsewhere started without it end. */
    if ((rc = session_end_user(d, st.client_id, st.user_id, r->who.session_id, &ended)) != DB_OK)
        return rc;
    r->who.must_enrol = false;
    buf_printf(&r->detail,
               "{\"enrolled\":true,\"recovery_codes\":%d,\"other_sessions_ended\":%lld,"
               "\"changes\":{\"two_factor\":{\"old\":\"none\",\"new\":\"enrolled\"}}}",
               RECOVERY_COUNT, ended);
    page_set(r->pg, "Two-factor logon is on. From now on you log on with your password and a code from your app.",
             "Page.Flash");
    return show_page(r, &st, 200);
}

/* A logged-in user proves a change with a current code (or the password,
 * when password_ok): the username's lockout applies and a wrong answer
 * counts as a failed logon, so that these forms cannot be used to guess.
 * 1 right (*by says with what), 0 wrong (the message in Errors.<field>),
 * or a negative db rc. */
static int confirm(request *r, db *d, tf_state *st, bool password_ok, const char *field, const char **by)
{
    int rc = lockout_check(r, d, r->who.username);
    if (rc < 0)
        return rc;
    if (rc != LOCKOUT_OPEN) {
        page_set(r->pg, "Too many wrong codes or passwords: try again later.", "Errors.%s", field);
        return 0;
    }
    size_t cn = 0, pn = 0;
    const char *typed = params_getn(&r->form, "code", &cn);
    const char *pw = password_ok ? params_getn(&r->form, "password", &pn) : NULL;
    char code[9];
    int ok = 0;
    if (typed && cn) {
        *by = "code";
        if (totp_parse_code(typed, cn, code) == TOTP_DIGITS && (ok = use_totp(d, st, code)) < 0)
            return ok;
    } else if (pw && pn && pn <= PASSWORD_MAX_BYTES) {
        *by = "password";
        ok = auth_password_matches(r, pw, pn, st->password_hash);
    } else {
        page_set(r->pg, password_ok ? "Type a code from your app, or your password." : "Type a code from your app.",
                 "Errors.%s", field);
        return 0;
    }
    if (ok == 1)
        return 1;
    if ((rc = lockout_failure(r, d, r->who.username)) < 0)
        return rc;
    r->keep_work = true;
    page_set(r->pg,
             rc == LOCKOUT_LOCKED_NOW
                 ? "That is not right, and after too many failures your username is now locked for a while."
             : strcmp(*by, "code") == 0 ? "That code is not right (each code works once)."
                                        : "That password is not right.",
             "Errors.%s", field);
    buf_printf(&r->detail, "{\"refused\":\"wrong %s\"%s}", *by, rc == LOCKOUT_LOCKED_NOW ? ",\"locked\":true" : "");
    return 0;
}

int account_two_factor_recovery(request *r, db *d)
{
    tf_state st;
    int rc = load_enrolled(r, d, &st);
    if (rc)
        return rc;
    const char *by = "";
    if ((rc = confirm(r, d, &st, false, "renew", &by)) != 1)
        return rc < 0 ? rc : show_page(r, &st, 422);
    long long removed = 0;
    if ((rc = new_recovery_codes(r, d, &st, &removed)) != DB_OK)
        return rc;
    buf_printf(&r->detail, "{\"recovery_codes\":%d,\"removed\":%lld}", RECOVERY_COUNT, removed);
    page_set(r->pg, "New recovery codes were made; the old ones no longer work.", "Page.Flash");
    return show_page(r, &st, 200);
}

int account_two_factor_off(request *r, db *d)
{
    tf_state st;
    int rc = load_enrolled(r, d, &st);
    if (rc)
        return rc;
    if (st.required) {
        page_set(r->pg,
                 "Your user type requires two-factor logon, so it cannot be turned off. If you lost your phone, an "
                 "administrator can reset it.",
                 "Errors.off");
        return show_page(r, &st, 422);
    }
    const char *by = "";
    if ((rc = confirm(r, d, &st, true, "off", &by)) != 1)
        return rc < 0 ? rc : show_page(r, &st, 422);
    forget(&st);
    long long codes = 0, ended = 0;
    if ((rc = two_factor_clear(d, st.client_id, st.user_id, NULL, &codes)) != DB_OK ||
        (rc = session_end_user(d, st.client_id, st.user_id, r->who.session_id, &ended)) != DB_OK)
        return rc;
    buf_printf(&r->detail,
               "{\"enrolled\":false,\"confirmed_by\":\"%s\",\"recovery_codes_removed\":%lld,\"other_sessions_ended\":%lld,"
               "\"changes\":{\"two_factor\":{\"old\":\"enrolled\",\"new\":\"none\"}}}",
               by, codes, ended);
    r->object_type = "user";
    r->object_id = st.user_id;
    http_redirect(r, "/account/two-factor?off=1");
    return 303;
}

/* ---- the second step of logging on ---- */

static int second_step_page(request *r, const char *error, bool ended)
{
    const char *csrf = auth_login_csrf(r);
    if (!csrf)
        return 500;
    page_set(r->pg, "Two-factor logon", "Page.Title");
    page_set(r->pg, csrf, "Login.Csrf");
    page_set(r->pg, error, "Login.Error");
    if (ended)
        page_set(r->pg, "1", "Login.Ended");
    page_set(r->pg, auth_safe_next(params_get(r->form.n ? &r->form : &r->qs, "next")), "Login.Next");
    r->template_name = "login_two_factor.cs";
    return 200;
}

int login_two_factor_form(request *r, db *d)
{
    (void)d;
    if (!r->second_factor) {
        http_redirect(r, r->logged_in ? auth_safe_next(params_get(&r->qs, "next")) : "/login");
        return 303;
    }
    return second_step_page(r, NULL, false);
}

int login_two_factor_submit(request *r, db *d)
{
    if (!r->second_factor) {
        http_redirect(r, r->logged_in ? "/contacts" : "/login");
        return 303;
    }
    const char *username = r->who.username;
    r->object_type = "user";
    r->object_id = r->who.user_id;
    buf_adds(&r->detail, "{\"username\":");
    json_add_cstr(&r->detail, username);
    int rc = lockout_check(r, d, username);
    if (rc < 0)
        return rc;
    if (rc != LOCKOUT_OPEN) {
        /* Nothing is checked while locked; the half-done logon ends. */
        if ((rc = session_end_current(r, d)) != DB_OK)
            return rc;
        r->keep_work = true;
        r->action = "login.locked";
        buf_adds(&r->detail, ",\"result\":\"locked\"}");
        second_step_page(r,
                         "Too many failed logons: this username is locked for a while. Try again later or ask an "
                         "administrator to unlock it.",
                         true);
        return 401;
    }

    tf_state st;
    if ((rc = load_state(r, d, r->who.client_id, r->who.user_id, &st)) <= 0)
        return rc == 0 ? 401 : rc;
    size_t n;
    const char *typed = params_getn(&r->form, "code", &n);
    char code[9], canon[TOTP_RECOVERY_CHARS + 1];
    const char *kind = NULL;
    int ok = 0;
    if (typed && totp_parse_code(typed, n, code) == TOTP_DIGITS) {
        kind = "totp";
        ok = use_totp(d, &st, code);
    } else if (typed && totp_parse_recovery(typed, n, canon) == 0) {
        kind = "recovery_code";
        ok = use_recovery(d, &st, canon);
    }
    forget(&st);
    if (ok < 0)
        return ok;
    if (ok != 1) {
        if ((rc = lockout_failure(r, d, username)) < 0)
            return rc;
        r->keep_work = true;
        bool locked = rc != LOCKOUT_COUNTED;
        if (locked && (rc = session_end_current(r, d)) != DB_OK)
            return rc;
        r->action = locked ? "login.lockout" : "login.second_factor_fail";
        buf_printf(&r->detail, ",\"second_factor\":%s%s%s,\"result\":\"%s\"}", kind ? "\"" : "",
                   kind ? kind : "null", kind ? "\"" : "", locked ? "locked now" : "wrong");
        second_step_page(r,
                         locked ? "That code is not right. After too many failed logons this username is now "
                                  "locked for a while; try again later or ask an administrator to unlock it."
                                : "That code is not right. Type the 6 digits your app shows now (each code works "
                                  "once), or one of your recovery codes.",
                         locked);
        return 401;
    }
    if ((rc = lockout_success(r, d, username)) == LOCKOUT_WAS_LOCKED) {
        /* A guess alongside locked the username: this right code fails too
         * (and its use rolls back). */
        buf_adds(&r->detail, ",\"result\":\"locked\"}");
        r->action = "login.locked";
        if ((rc = session_end_current(r, d)) != DB_OK)
            return rc;
        second_step_page(r,
                         "Too many failed logons: this username is locked for a while. Try again later or ask an "
                         "administrator to unlock it.",
                         true);
        return 401;
    }
    if (rc != DB_OK)
        return rc;
    /* The full session gets a new token: the half-way one ends here. */
    if ((rc = session_start(r, d, r->who.client_id, r->who.user_id, SESSION_FULL)) != DB_OK)
        return rc;
    http_set_cookie(r, AUTH_LOGIN_COOKIE, "", 0);
    buf_printf(&r->detail, ",\"second_factor\":\"%s\"", kind);
    if (strcmp(kind, "recovery_code") == 0) {
        buf_printf(&r->detail, ",\"recovery_codes_left\":%lld}", st.codes);
        http_redirect(r, "/account/two-factor?recovery=1");
    } else {
        buf_addc(&r->detail, '}');
        http_redirect(r, auth_safe_next(params_get(&r->form, "next")));
    }
    return 303;
}

/* ---- administrators ---- */

int two_factor_admin_put(request *r, db *d, long long user_id)
{
    db_stmt *s = db_stmt_get(d, SQL_ADMIN_VIEW);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, user_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) < 0)
        return rc;
    if (rc == 1) {
        if (db_int(s, 0))
            page_set(r->pg, db_text(s, 1, NULL), "Security.TwoFactor.since");
        if (db_int(s, 2))
            page_set(r->pg, "1", "Security.TwoFactor.required");
        page_set_int(r->pg, db_int(s, 3), "Security.TwoFactor.codes");
    }
    db_done(s);
    if (params_get(&r->qs, "two_factor_reset"))
        page_set(r->pg, "Two-factor logon was reset and the user's sessions were ended.", "Page.Flash");
    return DB_OK;
}
