-- Two-factor authentication: TOTP secrets, recovery codes, WebAuthn
-- credentials, single-use challenges, and the second-step state of
-- sessions. The TOTP secret is stored as it is (base32): whoever reads the
-- database can compute codes, so the database file must be protected like
-- the password hashes next to it. Recovery codes keep only a BLAKE2b hash.
ALTER TABLE users ADD COLUMN require_2fa INTEGER NOT NULL DEFAULT 0;

-- One TOTP per user; confirmed_at NULL while the enrolment is pending.
-- last_step is the newest time step accepted, so no code is used twice.
CREATE TABLE twofa_totp (
	id		INTEGER PRIMARY KEY,
	user_id		INTEGER NOT NULL UNIQUE REFERENCES users(id),
	secret		TEXT NOT NULL,
	confirmed_at	BIGINT,
	last_step	BIGINT NOT NULL DEFAULT 0,
	created_at	BIGINT NOT NULL
);

CREATE TABLE twofa_recovery (
	id		INTEGER PRIMARY KEY,
	user_id		INTEGER NOT NULL REFERENCES users(id),
	code_hash	TEXT NOT NULL,
	used_at		BIGINT,
	created_at	BIGINT NOT NULL
);
CREATE INDEX twofa_recovery_user ON twofa_recovery(user_id);

-- cred_id and public_key are base64url; public_key is the COSE key as the
-- authenticator sent it.
CREATE TABLE webauthn_credentials (
	id		INTEGER PRIMARY KEY,
	user_id		INTEGER NOT NULL REFERENCES users(id),
	cred_id		TEXT NOT NULL UNIQUE,
	public_key	TEXT NOT NULL,
	alg		INTEGER NOT NULL,
	sign_count	BIGINT NOT NULL DEFAULT 0,
	name		TEXT NOT NULL,
	created_at	BIGINT NOT NULL,
	last_used_at	BIGINT
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials(user_id);

-- WebAuthn challenges: single use, short-lived, bound to a user and a
-- purpose (register, login, stepup).
CREATE TABLE webauthn_challenges (
	id		INTEGER PRIMARY KEY,
	user_id		INTEGER NOT NULL REFERENCES users(id),
	purpose		TEXT NOT NULL,
	challenge	TEXT NOT NULL UNIQUE,
	expires_at	BIGINT NOT NULL
);
CREATE INDEX webauthn_challenges_user ON webauthn_challenges(user_id);

-- The second-factor state of a session: state 1 waits for the second
-- step, 2 may only enrol a factor, 0 is complete. stepup_at is when the
-- user last proved a factor again (step-up before sensitive work).
CREATE TABLE session_mfa (
	id		INTEGER PRIMARY KEY,
	session_id	INTEGER NOT NULL UNIQUE REFERENCES sessions(id) ON DELETE CASCADE,
	state		INTEGER NOT NULL DEFAULT 0,
	attempts	INTEGER NOT NULL DEFAULT 0,
	stepup_at	BIGINT
);
