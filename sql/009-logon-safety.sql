-- 009: logging on safely. Lockout of guessing, the session's stage (a
-- password alone, or the second factor too), a forced password change,
-- two-factor (TOTP) secrets and recovery codes, and API tokens for report
-- scripts.

-- A user an administrator gave a new password must choose their own at the
-- next logon. totp_secret is the enrolled TOTP key, sealed with the
-- installation's key (AES-256-GCM, fcgi/crypto.c); totp_pending the key shown
-- on the enrolment page until its first code confirms it; totp_last_step the
-- time step of the last code accepted, so that no code works twice.
ALTER TABLE users
  ADD COLUMN must_change_password TINYINT(1) NOT NULL DEFAULT 0,
  ADD COLUMN password_changed_at DATETIME(6) NULL,
  ADD COLUMN totp_secret VARBINARY(128) NULL,
  ADD COLUMN totp_pending VARBINARY(128) NULL,
  ADD COLUMN totp_pending_at DATETIME(6) NULL,
  ADD COLUMN totp_last_step BIGINT NULL,
  ADD COLUMN totp_enrolled_at DATETIME(6) NULL;

-- The security matrix can require two-factor of a user type.
ALTER TABLE user_types
  ADD COLUMN require_two_factor TINYINT(1) NOT NULL DEFAULT 0;

-- A session is 'password' between a right password and the second factor:
-- such a session reaches only the second-factor page, and for minutes.
-- id names a session on the "my sessions" page without showing its hash.
ALTER TABLE sessions
  ADD COLUMN id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  ADD UNIQUE KEY sessions_id (id),
  ADD COLUMN stage ENUM('full','password') NOT NULL DEFAULT 'full',
  ADD COLUMN user_agent VARCHAR(255) NOT NULL DEFAULT '';

-- One-time recovery codes: only their SHA-256 is kept (they are random, 50
-- bits and more, so a fast hash is enough).
CREATE TABLE recovery_codes (
  client_id  INT UNSIGNED NOT NULL,
  user_id    INT UNSIGNED NOT NULL,
  code_hash  BINARY(32) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  PRIMARY KEY (client_id, user_id, code_hash),
  CONSTRAINT recovery_codes_user FOREIGN KEY (client_id, user_id) REFERENCES users (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Failed logons, by the username as typed (folded to lower case) and by
-- address. Usernames that do not exist are counted and locked the same way,
-- so that a lockout tells nobody whether an account exists.
CREATE TABLE login_failures (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  at          DATETIME(6) NOT NULL,
  username    VARCHAR(100) NOT NULL,
  remote_addr VARCHAR(45) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY login_failures_user (username, at),
  KEY login_failures_addr (remote_addr, at),
  KEY login_failures_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

-- A username's lock. The row is also the mutex that makes concurrent
-- failures for one username count one after the other.
CREATE TABLE login_locks (
  username     VARCHAR(100) NOT NULL,
  locked_until DATETIME(6) NULL,
  PRIMARY KEY (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

-- API tokens: only the SHA-256 of the token is kept (the token is 256 random
-- bits). A token acts as its user, on read and export routes only.
CREATE TABLE api_tokens (
  client_id      INT UNSIGNED NOT NULL,
  id             INT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id        INT UNSIGNED NOT NULL,
  name           VARCHAR(100) NOT NULL,
  token_hash     BINARY(32) NOT NULL,
  created_at     DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  expires_at     DATETIME(6) NOT NULL,
  last_used_at   DATETIME(6) NULL,
  last_used_addr VARCHAR(45) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  revoked_at     DATETIME(6) NULL,
  PRIMARY KEY (client_id, id),
  UNIQUE KEY api_tokens_id (id),
  UNIQUE KEY api_tokens_hash (token_hash),
  KEY api_tokens_user (client_id, user_id),
  CONSTRAINT api_tokens_user_fk FOREIGN KEY (client_id, user_id) REFERENCES users (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

-- Which token a request used, if any.
ALTER TABLE audit
  ADD COLUMN token_id INT UNSIGNED NULL;

GRANT SELECT, INSERT, DELETE ON recovery_codes TO ctrack_app_role;
GRANT SELECT, INSERT, DELETE ON login_failures TO ctrack_app_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON login_locks TO ctrack_app_role;
GRANT SELECT, INSERT, UPDATE ON api_tokens TO ctrack_app_role;
