-- Rights: departments (a tree), roles (per entity, an action -> scope map
-- and field rules), each user in one department with one role, and records
-- shared with named users or departments. The rule that reads these lives
-- in core/access.c and nowhere else.

CREATE TABLE departments (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL,
	kind		TEXT NOT NULL DEFAULT 'department',	-- company, branch, department, team
	parent_id	INTEGER REFERENCES departments(id),
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL
);
CREATE INDEX departments_parent ON departments(parent_id);

-- perms: {"<entity>"|"*": {"<action>": "none|own|dept|subtree|all"}}
-- fields: {"<entity>": {"<field>": "hidden|readonly"}}
CREATE TABLE roles (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	builtin		TEXT UNIQUE,		-- key of a role the product ships
	is_admin	INTEGER NOT NULL DEFAULT 0,	-- manages users, roles, settings
	require_2fa	INTEGER NOT NULL DEFAULT 0,
	perms		TEXT NOT NULL DEFAULT '{}',
	fields		TEXT NOT NULL DEFAULT '{}',
	created_at	BIGINT NOT NULL,
	updated_at	BIGINT NOT NULL
);

ALTER TABLE users ADD COLUMN department_id INTEGER REFERENCES departments(id);
ALTER TABLE users ADD COLUMN role_id INTEGER REFERENCES roles(id);
CREATE INDEX users_department ON users(department_id);

CREATE TABLE department_heads (
	id		INTEGER PRIMARY KEY,
	department_id	INTEGER NOT NULL REFERENCES departments(id),
	user_id		INTEGER NOT NULL REFERENCES users(id),
	UNIQUE (department_id, user_id)
);
CREATE INDEX department_heads_user ON department_heads(user_id);

CREATE TABLE record_shares (
	id		INTEGER PRIMARY KEY,
	entity		TEXT NOT NULL,
	record_id	INTEGER NOT NULL,
	user_id		INTEGER REFERENCES users(id),
	department_id	INTEGER REFERENCES departments(id),
	access		TEXT NOT NULL,		-- read, write
	created_at	BIGINT NOT NULL,
	created_by	INTEGER REFERENCES users(id),
	CHECK ((user_id IS NULL) <> (department_id IS NULL)),
	CHECK (access IN ('read', 'write'))
);
CREATE INDEX record_shares_record ON record_shares(entity, record_id);
CREATE INDEX record_shares_user ON record_shares(user_id, entity, record_id);
CREATE INDEX record_shares_department ON record_shares(department_id, entity, record_id);

INSERT INTO departments (name, kind, parent_id, created_at, updated_at)
VALUES ('Company', 'company', NULL, 0, 0);

INSERT INTO roles (name, builtin, is_admin, perms, created_at, updated_at) VALUES
('Administrator', 'administrator', 1,
 '{"*":{"create":"all","read":"all","update":"all","delete":"all","export":"all","import":"all","assign":"all","audit":"all"}}', 0, 0),
('Director', 'director', 0,
 '{"*":{"create":"all","read":"all","update":"all","delete":"all","export":"all","import":"all","assign":"all","audit":"all"}}', 0, 0),
('Head of department', 'head', 0,
 '{"*":{"create":"subtree","read":"subtree","update":"subtree","delete":"subtree","export":"subtree","import":"subtree","assign":"subtree","audit":"subtree"}}', 0, 0),
('Manager', 'manager', 0,
 '{"*":{"create":"own","read":"own","update":"own","delete":"own","export":"none","import":"none","assign":"none","audit":"own"}}', 0, 0),
('Support agent', 'support', 0,
 '{"*":{"create":"own","read":"all","update":"own","delete":"none","export":"none","import":"none","assign":"none","audit":"none"}}', 0, 0),
('Read-only', 'readonly', 0,
 '{"*":{"create":"none","read":"all","update":"none","delete":"none","export":"none","import":"none","assign":"none","audit":"none"}}', 0, 0);

UPDATE users SET department_id = (SELECT MIN(id) FROM departments),
	role_id = (SELECT id FROM roles WHERE builtin =
	    CASE WHEN users.is_admin = 1 THEN 'administrator' ELSE 'manager' END);
