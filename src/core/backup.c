/*
 * Backups: making, checking and restoring them, the server's schedule, and
 * the record of runs. The guarantees are in core/backup.h, the file format
 * in core/bkfile.h.
 */
#include "core/audit.h"
#include "core/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/jobs.h"
#include "util/alloc.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/version.h"

#define FILES_DEPTH_MAX 64
#define RUNS_LISTED 50

/* ---- paths and folders ---- */

static int
fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

/* a + "/" + b into out; false when it does not fit. */
static bool
join(char *out, size_t outlen, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la + 1 + lb + 1 > outlen)
		return false;
	memcpy(out, a, la);
	out[la] = '/';
	memcpy(out + la + 1, b, lb + 1);
	return true;
}

/* The folder of path ("." for a bare name). */
static bool
dir_of(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return (size_t)snprintf(out, outlen, ".") < outlen;
	if (slash == path)
		return (size_t)snprintf(out, outlen, "/") < outlen;
	return (size_t)snprintf(out, outlen, "%.*s", (int)(slash - path), path) <
	    outlen;
}

int
backup_files_dir(const char *db_path, char *out, size_t outlen)
{
	char dir[BACKUP_PATH_MAX];

	if (!dir_of(db_path, dir, sizeof(dir)) || !join(out, outlen, dir, "files"))
		return CRM_EINVAL;
	return CRM_OK;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	/* Best effort: what cannot be removed stays, and is harmless. */
	if (flag == FTW_DP)
		(void)rmdir(path);
	else
		(void)unlink(path);
	return 0;
}

/* Removes a folder we made and everything in it (links not followed). */
static void
rm_tree(const char *path)
{
	if (path[0] != '\0')
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* "20261126-204501-123" for ms (UTC). */
static void
stamp(int64_t ms, char *out, size_t outlen)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	char ymd[32];

	gmtime_r(&s, &tm);
	strftime(ymd, sizeof(ymd), "%Y%m%d-%H%M%S", &tm);
	snprintf(out, outlen, "%.15s-%03u", ymd, (unsigned)(ms % 1000) % 1000u);
}

/* ---- the documents folder ---- */

struct flist {
	struct bkf_entry	*v;
	size_t			 n;
	size_t			 cap;
};

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bkf_entry *)a)->path,
	    ((const struct bkf_entry *)b)->path);
}

/*
 * Adds every regular file under abs (shown as rel) to l. Links and special
 * files are refused: a backup holds what the folder holds, not what a link
 * points at.
 */
static int
walk(const char *abs, const char *rel, int depth, struct flist *l, char *err,
    size_t errlen)
{
	DIR *d;
	struct dirent *de;
	int rc = CRM_OK;

	if (depth > FILES_DEPTH_MAX)
		return fail(err, errlen, CRM_EINVAL, "%s: folders nested deeper "
		    "than %d", abs, FILES_DEPTH_MAX);
	d = opendir(abs);
	if (d == NULL)
		return fail(err, errlen, CRM_EINVAL, "cannot read the folder %s: "
		    "%s", abs, strerror(errno));
	while (rc == CRM_OK && (errno = 0, de = readdir(d)) != NULL) {
		char a[BACKUP_PATH_MAX], r[BKF_PATH_MAX + 1], why[128];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!join(a, sizeof(a), abs, de->d_name) ||
		    !join(r, sizeof(r), rel, de->d_name) ||
		    !bkf_path_ok(r, strlen(r), why, sizeof(why))) {
			rc = fail(err, errlen, CRM_EINVAL, "%s/%s: the name cannot go "
			    "into a backup (too long or unusual characters); rename "
			    "it", abs, de->d_name);
			break;
		}
		if (lstat(a, &st) != 0) {
			rc = fail(err, errlen, CRM_EINVAL, "%s: %s", a, strerror(errno));
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			rc = walk(a, r, depth + 1, l, err, errlen);
		} else if (S_ISREG(st.st_mode)) {
			if (l->n >= BKF_ENTRIES_MAX) {
				rc = fail(err, errlen, CRM_EINVAL, "%s holds more than "
				    "%d files", abs, BKF_ENTRIES_MAX);
				break;
			}
			if (l->n == l->cap) {
				l->cap = l->cap ? l->cap * 2 : 64;
				l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
			}
			memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
			l->v[l->n++].path = xstrdup(r);
		} else {
			rc = fail(err, errlen, CRM_EINVAL, "%s is a %s, not a regular "
			    "file: the documents folder may hold only files and "
			    "folders; replace it with the file itself or move it out",
			    a, S_ISLNK(st.st_mode) ? "symbolic link" : "special file");
		}
	}
	if (rc == CRM_OK && errno != 0)
		rc = fail(err, errlen, CRM_EINVAL, "cannot read the folder %s: %s",
		    abs, strerror(errno));
	closedir(d);
	return rc;
}

/* Opens base/rel for reading, refusing a link; hashes it into e. */
static int
hash_entry(const char *abs, struct bkf_entry *e, char *err, size_t errlen)
{
	int fd = open(abs, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;

	if (fd < 0)
		return fail(err, errlen, CRM_EINVAL, "cannot read %s: %s", abs,
		    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    bkf_hash_fd(fd, e->hash, &e->size) != 0) {
		close(fd);
		return fail(err, errlen, CRM_EINVAL, "cannot read %s as a regular "
		    "file: %s", abs, strerror(errno));
	}
	close(fd);
	return CRM_OK;
}

/* ---- making a backup ---- */

#define WORK_PREFIX ".crm-backup-"	/* + 6 characters from mkdtemp */
#define TMP_SUFFIX ".crmbak.tmp"

/*
 * Removes what backups killed half-way left in dir: their work folders
 * (a whole copy of the database each) and FILE.crmbak.tmp. Only names
 * backups make are touched; a .tmp of another name is left alone.
 */
static void
clear_leftovers(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t wlen = strlen(WORK_PREFIX), tlen = strlen(TMP_SUFFIX);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char p[BACKUP_PATH_MAX];
		size_t n = strlen(de->d_name);
		struct stat st;
		bool work = n == wlen + 6 &&
		    strncmp(de->d_name, WORK_PREFIX, wlen) == 0;
		bool tmp = n > tlen &&
		    strcmp(de->d_name + n - tlen, TMP_SUFFIX) == 0;

		if ((!work && !tmp) || !join(p, sizeof(p), dir, de->d_name) ||
		    lstat(p, &st) != 0)
			continue;
		if (work && S_ISDIR(st.st_mode))
			rm_tree(p);
		else if (tmp && S_ISREG(st.st_mode))
			(void)unlink(p);
		else
			continue;
		log_info("backup: removed %s, left by a backup that did not "
		    "finish", p);
	}
	closedir(d);
}

/*
 * Every backup into dir holds a shared lock on dir/.crm-backup.lock while
 * it runs. Whoever gets it exclusively sees no backup running there, so
 * it may clear the leftovers of killed ones first. Returns the lock's
 * descriptor (closing it releases the lock), or -1 with err.
 */
static int
lock_folder(const char *dir, char *err, size_t errlen)
{
	char p[BACKUP_PATH_MAX];
	int fd;

	if (!join(p, sizeof(p), dir, ".crm-backup.lock"))
		return fail(err, errlen, -1, "%s: the path is too long", dir);
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return fail(err, errlen, -1, "cannot create %s: %s (the folder "
		    "must exist and be writable)", p, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		clear_leftovers(dir);
	if (flock(fd, LOCK_SH) != 0) {
		close(fd);
		return fail(err, errlen, -1, "cannot lock %s: %s", p,
		    strerror(errno));
	}
	return fd;
}

int
backup_make(db_t *db, const char *to, struct backup_result *res, char *err,
    size_t errlen)
{
	const char *db_path = db_file(db);
	char work[BACKUP_PATH_MAX], snap[BACKUP_PATH_MAX], tmp[BACKUP_PATH_MAX];
	char todir[BACKUP_PATH_MAX], files[BACKUP_PATH_MAX];
	struct bkf_manifest m;
	struct bkf_writer *w = NULL;
	struct flist l = { NULL, 0, 0 };
	struct stat st;
	int64_t version = 0;
	int fd = -1, lockfd = -1, rc = CRM_EINVAL;

	memset(&m, 0, sizeof(m));
	memset(res, 0, sizeof(*res));
	work[0] = tmp[0] = '\0';
	res->started_ms = time_now_ms();
	if (db_path == NULL)
		return fail(err, errlen, CRM_EINVAL, "crm backup copies SQLite "
		    "databases; this one is PostgreSQL: back it up with pg_dump "
		    "(see docs/administration.md)");
	if (snprintf(res->file, sizeof(res->file), "%s", to) >= (int)sizeof(res->file) ||
	    !dir_of(to, todir, sizeof(todir)) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", to) >= sizeof(tmp) ||
	    backup_files_dir(db_path, files, sizeof(files)) != CRM_OK)
		return fail(err, errlen, CRM_EINVAL, "%s: the path is too long", to);
	tmp[0] = '\0';
	if (lstat(to, &st) == 0)
		return fail(err, errlen, CRM_EEXISTS, "%s already exists; backups "
		    "never overwrite a file: choose a new name", to);
	lockfd = lock_folder(todir, err, errlen);
	if (lockfd < 0)
		return CRM_EINVAL;
	if (!join(work, sizeof(work), todir, WORK_PREFIX "XXXXXX") ||
	    mkdtemp(work) == NULL) {
		rc = fail(err, errlen, CRM_EINVAL, "cannot make a work folder in "
		    "%s: %s (the folder must exist and be writable)", todir,
		    strerror(errno));
		work[0] = '\0';
		goto out;
	}
	if (!join(snap, sizeof(snap), work, BKF_DB_ENTRY)) {
		rc = fail(err, errlen, CRM_EINVAL, "%s: the path is too long", work);
		goto out;
	}
	if (db_schema_version(db, &version) != DB_OK) {
		rc = fail(err, errlen, CRM_EDB, "cannot read the schema version: %s",
		    db_errmsg(db));
		goto out;
	}
	if (db_snapshot(db, snap, err, errlen) != DB_OK) {
		rc = CRM_EDB;
		goto out;
	}
	/* The database first, then the documents in byte order. */
	l.cap = 64;
	l.v = xcalloc(l.cap, sizeof(*l.v));
	l.v[0].path = xstrdup(BKF_DB_ENTRY);
	l.n = 1;
	if (lstat(files, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			rc = fail(err, errlen, CRM_EINVAL, "%s is not a folder: the "
			    "documents folder must be one (or absent)", files);
			goto out;
		}
		rc = walk(files, "files", 0, &l, err, errlen);
		if (rc != CRM_OK)
			goto out;
		qsort(l.v + 1, l.n - 1, sizeof(*l.v), entry_cmp);
	}
	for (size_t i = 0; i < l.n; i++) {
		char abs[BACKUP_PATH_MAX];

		if (!join(abs, sizeof(abs), i == 0 ? work : files, i == 0 ?
		    BKF_DB_ENTRY : l.v[i].path + 6)) {
			rc = fail(err, errlen, CRM_EINVAL, "%s: path too long",
			    l.v[i].path);
			goto out;
		}
		rc = hash_entry(abs, &l.v[i], err, errlen);
		if (rc != CRM_OK)
			goto out;
	}
	m.format = BKF_FORMAT;
	snprintf(m.crm_version, sizeof(m.crm_version), "%s", CRM_VERSION);
	time_format(res->started_ms, m.created_at, sizeof(m.created_at));
	snprintf(m.dialect, sizeof(m.dialect), "sqlite");
	m.schema_version = version;
	m.entries = l.v;
	m.n = l.n;
	l.v = NULL;
	l.n = 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", to);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = fail(err, errlen, CRM_EINVAL, "cannot create %s: %s", tmp,
		    strerror(errno));
		tmp[0] = '\0';
		goto out;
	}
	rc = CRM_EINVAL;
	if (bkf_writer_open(fd, &w, err, errlen) != 0 ||
	    bkf_write_manifest(w, &m, err, errlen) != 0)
		goto out;
	for (size_t i = 0; i < m.n; i++) {
		char abs[BACKUP_PATH_MAX];
		int efd;

		join(abs, sizeof(abs), i == 0 ? work : files, i == 0 ?
		    BKF_DB_ENTRY : m.entries[i].path + 6);
		efd = open(abs, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (efd < 0) {
			fail(err, errlen, 0, "cannot read %s: %s (it went away during "
			    "the backup; run it again)", abs, strerror(errno));
			goto out;
		}
		if (bkf_write_entry(w, efd, err, errlen) != 0) {
			close(efd);
			goto out;
		}
		close(efd);
		if (i > 0)
			res->files++;
	}
	if (bkf_writer_finish(w, err, errlen) != 0)
		goto out;
	if (fsync(fd) != 0 || fstat(fd, &st) != 0) {
		fail(err, errlen, 0, "cannot write %s to disk: %s", tmp,
		    strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		fail(err, errlen, 0, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, to, RENAME_NOREPLACE) != 0) {
		fail(err, errlen, 0, "cannot rename %s to %s: %s", tmp, to,
		    strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
	(void)fs_sync_dir(todir);
	res->size = (int64_t)st.st_size;
	res->finished_ms = time_now_ms();
	rc = CRM_OK;
out:
	bkf_writer_free(w);
	if (fd >= 0)
		close(fd);
	if (tmp[0] != '\0')
		unlink(tmp);
	rm_tree(work);
	if (lockfd >= 0)
		close(lockfd);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].path);
	free(l.v);
	bkf_manifest_free(&m);
	if (rc != CRM_OK && res->finished_ms == 0)
		res->finished_ms = time_now_ms();
	return rc;
}

/* ---- reading one: into a staging folder ---- */

struct stage {
	char	 root[BACKUP_PATH_MAX];
	bool	 all;		/* every entry; else only the database */
	int	 fd;
	char	 cur[BACKUP_PATH_MAX];
};

static ssize_t
fd_read(void *arg, void *buf, size_t cap)
{
	int fd = *(int *)arg;
	ssize_t k;

	do
		k = read(fd, buf, cap);
	while (k < 0 && errno == EINTR);
	return k;
}

/* Makes the folders of rel under root (rel is a checked entry path). */
static int
mkparents(const char *root, const char *rel, char *err, size_t errlen)
{
	char p[BACKUP_PATH_MAX];
	size_t rlen = strlen(root);

	if (!join(p, sizeof(p), root, rel))
		return fail(err, errlen, -1, "%s: path too long", rel);
	for (char *s = p + rlen + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			int e = errno;

			*s = '/';
			return fail(err, errlen, -1, "cannot create %s: %s", p,
			    strerror(e));
		}
		*s = '/';
	}
	return 0;
}

static int
st_begin(void *arg, const struct bkf_entry *e, size_t index, char *err,
    size_t errlen)
{
	struct stage *s = arg;

	s->fd = -1;
	if (!s->all && index > 0)
		return 0;
	if (mkparents(s->root, e->path, err, errlen) != 0 ||
	    !join(s->cur, sizeof(s->cur), s->root, e->path))
		return -1;
	s->fd = open(s->cur, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (s->fd < 0)
		return fail(err, errlen, -1, "cannot create %s: %s", s->cur,
		    strerror(errno));
	return 0;
}

static int
st_data(void *arg, const void *p, size_t n, char *err, size_t errlen)
{
	struct stage *s = arg;
	const unsigned char *b = p;

	while (s->fd >= 0 && n > 0) {
		ssize_t k = write(s->fd, b, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return fail(err, errlen, -1, "cannot write %s: %s", s->cur,
			    k < 0 ? strerror(errno) : "no space");
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static int
st_end(void *arg, const struct bkf_entry *e, char *err, size_t errlen)
{
	struct stage *s = arg;
	int rc = 0;

	(void)e;
	if (s->fd < 0)
		return 0;
	if (fsync(s->fd) != 0)
		rc = fail(err, errlen, -1, "cannot write %s to disk: %s", s->cur,
		    strerror(errno));
	if (close(s->fd) != 0 && rc == 0)
		rc = fail(err, errlen, -1, "cannot write %s: %s", s->cur,
		    strerror(errno));
	s->fd = -1;
	return rc;
}

/*
 * Reads the backup at path into the staging folder s->root (which exists)
 * and checks it all, the database's integrity included.
 */
static int
stage_read(const char *path, struct stage *s, struct bkf_manifest *m,
    char *err, size_t errlen)
{
	struct bkf_sink sink = { s, NULL, st_begin, st_data, st_end };
	struct bkf_source src;
	char dbfile[BACKUP_PATH_MAX], msg[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return fail(err, errlen, CRM_ENOTFOUND, "cannot read %s: %s", path,
		    strerror(errno));
	src.read = fd_read;
	src.arg = &fd;
	s->fd = -1;
	err[0] = '\0';
	rc = bkf_read(&src, &sink, m, err, errlen);
	if (s->fd >= 0)
		close(s->fd);
	close(fd);
	if (rc != 0)
		return CRM_EINVAL;
	if (m->schema_version > db_migrations_latest("sqlite")) {
		bkf_manifest_free(m);
		return fail(err, errlen, CRM_EINVAL, "it was made by crm %s with "
		    "schema version %lld, newer than this crm knows (%lld): "
		    "restore it with that version or later", m->crm_version,
		    (long long)m->schema_version,
		    (long long)db_migrations_latest("sqlite"));
	}
	join(dbfile, sizeof(dbfile), s->root, BKF_DB_ENTRY);
	if (db_file_check(dbfile, msg, sizeof(msg)) != DB_OK) {
		bkf_manifest_free(m);
		return fail(err, errlen, CRM_EINVAL, "the database in it fails "
		    "its check: %s", msg);
	}
	return CRM_OK;
}

int
backup_verify(const char *path, const char *tmpdir, struct bkf_manifest *m,
    char *err, size_t errlen)
{
	struct stage s;
	int rc;

	memset(&s, 0, sizeof(s));
	memset(m, 0, sizeof(*m));
	if (tmpdir == NULL || tmpdir[0] == '\0')
		tmpdir = "/tmp";
	if (!join(s.root, sizeof(s.root), tmpdir, "crm-verify-XXXXXX") ||
	    mkdtemp(s.root) == NULL)
		return fail(err, errlen, CRM_EUNAVAIL, "cannot make a work folder "
		    "in %s: %s (set TMPDIR to a writable folder with room for the "
		    "database)", tmpdir, strerror(errno));
	s.all = false;
	rc = stage_read(path, &s, m, err, errlen);
	rm_tree(s.root);
	return rc;
}

/* Whether folder exists and holds anything. */
static bool
nonempty_dir(const char *folder)
{
	DIR *d = opendir(folder);
	struct dirent *de;
	bool any = false;

	if (d == NULL)
		return errno != ENOENT;	/* a file there, or unreadable: not empty */
	while (!any && (de = readdir(d)) != NULL)
		any = strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return any;
}

/* Moves path (if present) to path + suffix. */
static int
keep_aside(const char *path, const char *suffix, char *err, size_t errlen)
{
	char to[BACKUP_PATH_MAX];

	if ((size_t)snprintf(to, sizeof(to), "%s%s", path, suffix) >= sizeof(to))
		return fail(err, errlen, -1, "%s: path too long", path);
	if (rename(path, to) != 0 && errno != ENOENT)
		return fail(err, errlen, -1, "cannot move %s aside to %s: %s", path,
		    to, strerror(errno));
	return 0;
}

static int
refuse_in_use(const char *db_path, char *err, size_t errlen)
{
	char why[128];
	bool busy;

	if (db_file_in_use(db_path, &busy, why, sizeof(why)) != DB_OK)
		return fail(err, errlen, CRM_EINVAL, "cannot tell whether %s is in "
		    "use: %s", db_path, why);
	if (busy)
		return fail(err, errlen, CRM_EINUSE, "%s is in use (%s): stop crm "
		    "serve (and anything else using it) before restoring over it",
		    db_path, why);
	return CRM_OK;
}

int
backup_restore(const char *from, const char *db_path, bool force, char *kept,
    size_t keptlen, char *err, size_t errlen)
{
	char dir[BACKUP_PATH_MAX], files[BACKUP_PATH_MAX], sfiles[BACKUP_PATH_MAX];
	char sdb[BACKUP_PATH_MAX], suffix[64], ts[32], side[BACKUP_PATH_MAX];
	struct bkf_manifest m;
	struct stage s;
	struct stat st;
	bool have_db, have_files, made_dir = false;
	int rc;

	memset(&s, 0, sizeof(s));
	memset(&m, 0, sizeof(m));
	kept[0] = '\0';
	if (db_is_postgres(db_path))
		return fail(err, errlen, CRM_EINVAL, "crm restore restores SQLite "
		    "databases; for PostgreSQL use pg_restore (see "
		    "docs/administration.md)");
	if (!dir_of(db_path, dir, sizeof(dir)) ||
	    backup_files_dir(db_path, files, sizeof(files)) != CRM_OK)
		return fail(err, errlen, CRM_EINVAL, "%s: path too long", db_path);
	have_db = lstat(db_path, &st) == 0;
	if (!have_db) {
		char wal[BACKUP_PATH_MAX];

		snprintf(wal, sizeof(wal), "%s-wal", db_path);
		have_db = lstat(wal, &st) == 0;
	}
	have_files = nonempty_dir(files);
	if ((have_db || have_files) && !force)
		return fail(err, errlen, CRM_EEXISTS, "%s already holds %s; restore "
		    "refuses to overwrite it. Restore into a new folder, or add "
		    "--force to replace it (the current one is kept as %s."
		    "before-restore-TIME)", dir, have_db ? "a database" :
		    "documents (files/)", have_db ? db_path : files);
	if (have_db) {
		rc = refuse_in_use(db_path, err, errlen);
		if (rc != CRM_OK)
			return rc;
	}
	if (lstat(dir, &st) != 0) {
		if (mkdir(dir, 0755) != 0)
			return fail(err, errlen, CRM_EINVAL, "cannot create the folder "
			    "%s: %s", dir, strerror(errno));
		made_dir = true;
	}
	if (!join(s.root, sizeof(s.root), dir, ".crm-restore-XXXXXX") ||
	    mkdtemp(s.root) == NULL) {
		rc = fail(err, errlen, CRM_EINVAL, "cannot make a staging folder in "
		    "%s: %s", dir, strerror(errno));
		s.root[0] = '\0';
		goto out;
	}
	s.all = true;
	rc = stage_read(from, &s, &m, err, errlen);
	if (rc != CRM_OK) {
		char why[1024];

		snprintf(why, sizeof(why), "%s", err);
		fail(err, errlen, rc, "%s: %s; nothing was restored: use another "
		    "backup (or a fresh copy of this one)", from, why);
		goto out;
	}
	/* Checked: now the swap. Look again, something may have started. */
	if (have_db && (rc = refuse_in_use(db_path, err, errlen)) != CRM_OK)
		goto out;
	stamp(time_now_ms(), ts, sizeof(ts));
	snprintf(suffix, sizeof(suffix), ".before-restore-%s", ts);
	join(sdb, sizeof(sdb), s.root, BKF_DB_ENTRY);
	join(sfiles, sizeof(sfiles), s.root, "files");
	rc = CRM_EINVAL;
	if (force) {
		static const char *const sides[] = { "", "-wal", "-shm", "-journal" };

		for (size_t i = 0; i < sizeof(sides) / sizeof(*sides); i++) {
			snprintf(side, sizeof(side), "%s%s", db_path, sides[i]);
			if (keep_aside(side, suffix, err, errlen) != 0)
				goto out;
		}
		if (have_db)
			snprintf(kept, keptlen, "%s%s", db_path, suffix);
		if (have_files && keep_aside(files, suffix, err, errlen) != 0)
			goto out;
	}
	if (lstat(files, &st) == 0 && rmdir(files) != 0) {
		fail(err, errlen, 0, "cannot replace %s: %s", files, strerror(errno));
		goto out;
	}
	if (lstat(sfiles, &st) != 0 && mkdir(sfiles, 0700) != 0) {
		fail(err, errlen, 0, "cannot create %s: %s", sfiles, strerror(errno));
		goto out;
	}
	if (renameat2(AT_FDCWD, sfiles, AT_FDCWD, files, RENAME_NOREPLACE) != 0) {
		fail(err, errlen, 0, "cannot move the documents into %s: %s", files,
		    strerror(errno));
		goto out;
	}
	/* The database last: its arrival marks a finished restore. */
	if (renameat2(AT_FDCWD, sdb, AT_FDCWD, db_path, RENAME_NOREPLACE) != 0) {
		fail(err, errlen, 0, "cannot move the database to %s: %s", db_path,
		    strerror(errno));
		goto out;
	}
	(void)fs_sync_dir(dir);
	rc = CRM_OK;
out:
	rm_tree(s.root);
	if (rc != CRM_OK && made_dir)
		rmdir(dir);
	bkf_manifest_free(&m);
	return rc;
}

/* ---- the record of runs ---- */

static int
db_fail(struct core_ctx *cx, const char *what)
{
	log_error("database: backups: %s: %s", what, db_errmsg(cx->db));
	return core_fail(cx, CRM_EDB, "The database failed");
}

int
backup_record(struct core_ctx *cx, const char *kind,
    const struct backup_result *res, bool ok, const char *error)
{
	db_stmt_t *st;
	int rc;

	if (db_begin(cx->db) != DB_OK)
		return db_fail(cx, "record begin");
	if (db_prepare(cx->db, "INSERT INTO backups (kind, started_at, "
	    "finished_at, file, size, ok, error) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    &st) != DB_OK) {
		db_rollback(cx->db);
		return db_fail(cx, "record");
	}
	db_bind_text(st, 1, kind, strlen(kind));
	db_bind_int(st, 2, res->started_ms);
	db_bind_int(st, 3, res->finished_ms);
	db_bind_text(st, 4, res->file, strlen(res->file));
	if (ok)
		db_bind_int(st, 5, res->size);
	else
		db_bind_null(st, 5);
	db_bind_int(st, 6, ok ? 1 : 0);
	if (error != NULL)
		db_bind_text(st, 7, error, strlen(error));
	else
		db_bind_null(st, 7);
	rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "record step");
	db_done(st);
	if (rc == CRM_OK) {
		json_t *d = json_pack("{s:s, s:s, s:b, s:I}", "kind", kind, "file",
		    res->file, "ok", ok, "size", (json_int_t)(ok ? res->size : 0));

		rc = audit_append(cx, ok ? "backup.create" : "backup.failed", NULL, 0,
		    d);
		json_decref(d);
	}
	return core_txn_end(cx, rc, NULL);
}

/* ---- the schedule ---- */

/* One integer from a query with up to two int parameters (-1: none). */
static int
one_int(struct core_ctx *cx, const char *sql, int64_t a, int64_t *v, bool *null)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, sql, &st) != DB_OK)
		return db_fail(cx, sql);
	if (a >= 0)
		db_bind_int(st, 1, a);
	rc = db_step(st);
	*null = rc != DB_ROW || db_col_null(st, 0);
	*v = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, sql);
}

int
backup_schedule(struct core_ctx *cx, const char *dir, int64_t every_ms,
    int keep)
{
	json_t *payload = json_pack("{s:s, s:I, s:i}", "dir", dir, "every_ms",
	    (json_int_t)every_ms, "keep", keep);
	char *text = json_dumps(payload, JSON_COMPACT);
	int64_t last, now = time_now_ms(), run_at, id;
	db_stmt_t *st;
	bool null;
	int rc;

	if (db_begin(cx->db) != DB_OK) {
		rc = db_fail(cx, "schedule begin");
		goto done;
	}
	rc = one_int(cx, "SELECT MAX(finished_at) FROM backups WHERE ok = 1 AND "
	    "kind = 'scheduled'", -1, &last, &null);
	run_at = null || last + every_ms < now ? now : last + every_ms;
	if (rc == CRM_OK)
		rc = job_enqueue(cx, "backup", payload, run_at, "backup", &id);
	if (rc == CRM_OK && id == 0) {
		/* It exists: new settings, and running again if it had ended. */
		if (db_prepare(cx->db, "UPDATE jobs SET payload = ?, run_at = ?, "
		    "done_at = NULL, attempts = 0, last_error = NULL WHERE "
		    "unique_key = 'backup'", &st) != DB_OK) {
			rc = db_fail(cx, "schedule update");
		} else {
			db_bind_text(st, 1, text, strlen(text));
			db_bind_int(st, 2, run_at);
			rc = db_step(st) == DB_DONE ? CRM_OK :
			    db_fail(cx, "schedule update step");
			db_done(st);
		}
	}
	rc = core_txn_end(cx, rc, NULL);
done:
	free(text);
	json_decref(payload);
	return rc;
}

int
backup_unschedule(struct core_ctx *cx)
{
	db_stmt_t *st;
	int rc;

	if (db_prepare(cx->db, "UPDATE jobs SET done_at = ? WHERE unique_key = "
	    "'backup' AND done_at IS NULL", &st) != DB_OK)
		return db_fail(cx, "unschedule");
	db_bind_int(st, 1, time_now_ms());
	rc = db_step(st) == DB_DONE ? CRM_OK : db_fail(cx, "unschedule step");
	db_done(st);
	return rc;
}

/* The schedule's payload (new reference), or NULL when none is set. */
static int
schedule_get(struct core_ctx *cx, json_t **payload, int64_t *run_at,
    bool *running)
{
	db_stmt_t *st;
	const char *text;
	size_t len;
	int rc;

	*payload = NULL;
	if (db_prepare(cx->db, "SELECT payload, run_at, locked_by FROM jobs WHERE "
	    "unique_key = 'backup' AND done_at IS NULL", &st) != DB_OK)
		return db_fail(cx, "schedule");
	rc = db_step(st);
	if (rc == DB_ROW) {
		text = db_col_text(st, 0, &len);
		*payload = json_loadb(text, len, 0, NULL);
		*run_at = db_col_int(st, 1);
		*running = !db_col_null(st, 2);
	}
	db_done(st);
	return rc == DB_ROW || rc == DB_DONE ? CRM_OK : db_fail(cx, "schedule step");
}

int
backup_enqueue_now(struct core_ctx *cx, const char *dir, int64_t *job_id)
{
	json_t *sched = NULL, *payload;
	int64_t run_at;
	bool running;
	int rc = core_admin_only(cx, "start a backup");

	if (rc != CRM_OK)
		return rc;
	if (dir == NULL || dir[0] == '\0') {
		rc = schedule_get(cx, &sched, &run_at, &running);
		if (rc != CRM_OK)
			return rc;
		dir = json_string_value(json_object_get(sched, "dir"));
	}
	if (dir == NULL || dir[0] == '\0') {
		json_decref(sched);
		return core_fail(cx, CRM_EINUSE, "No backup folder is set: start "
		    "crm serve with --backup-dir DIR, or run crm backup --to FILE "
		    "on the server");
	}
	payload = json_pack("{s:s, s:b}", "dir", dir, "now", 1);
	json_decref(sched);
	rc = job_enqueue(cx, "backup", payload, time_now_ms(), NULL, job_id);
	if (rc == CRM_OK)
		rc = audit_append(cx, "backup.requested", NULL, 0, payload);
	json_decref(payload);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The scheduler's own file names: prefix, a stamp, the auto suffix. */
static bool
is_auto_name(const char *name)
{
	size_t plen = strlen(BACKUP_PREFIX), slen = strlen(BACKUP_AUTO_SUFFIX);
	size_t len = strlen(name);

	if (len != plen + 19 + slen || strncmp(name, BACKUP_PREFIX, plen) != 0 ||
	    strcmp(name + len - slen, BACKUP_AUTO_SUFFIX) != 0)
		return false;
	for (size_t i = 0; i < 19; i++) {	/* YYYYMMDD-HHMMSS-mmm */
		char ch = name[plen + i];

		if (i == 8 || i == 15 ? ch != '-' : ch < '0' || ch > '9')
			return false;
	}
	return true;
}

/* Deletes the scheduler's files in dir beyond the newest keep. */
static void
prune(struct core_ctx *cx, const char *dir, int keep)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!is_auto_name(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i + (size_t)keep < n; i++) {
		char path[BACKUP_PATH_MAX];
		db_stmt_t *st;

		if (!join(path, sizeof(path), dir, names[i]))
			continue;
		if (unlink(path) != 0) {
			log_warn("backup: cannot remove the old backup %s: %s", path,
			    strerror(errno));
			continue;
		}
		if (db_prepare(cx->db, "UPDATE backups SET removed_at = ? WHERE "
		    "file = ? AND removed_at IS NULL", &st) == DB_OK) {
			db_bind_int(st, 1, time_now_ms());
			db_bind_text(st, 2, path, strlen(path));
			if (db_step(st) != DB_DONE)
				log_warn("backup: %s", db_errmsg(cx->db));
			db_done(st);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
backup_job_run(struct core_ctx *cx, json_t *payload, int64_t *again,
    char *err, size_t errlen)
{
	const char *dir = json_string_value(json_object_get(payload, "dir"));
	bool now = json_is_true(json_object_get(payload, "now"));
	json_int_t every = json_integer_value(json_object_get(payload, "every_ms"));
	json_int_t keep = json_integer_value(json_object_get(payload, "keep"));
	struct backup_result res;
	char name[128], ts[32], file[BACKUP_PATH_MAX], why[1024];
	int64_t started = time_now_ms();
	int rc;

	if (dir == NULL || dir[0] == '\0' || (!now && (every < 1000 || keep < 1))) {
		snprintf(err, errlen, "the backup job has no folder or schedule");
		return CRM_EINVAL;
	}
	stamp(started, ts, sizeof(ts));
	snprintf(name, sizeof(name), "%s%s%s", BACKUP_PREFIX, ts,
	    now ? BACKUP_NOW_SUFFIX : BACKUP_AUTO_SUFFIX);
	if (!join(file, sizeof(file), dir, name)) {
		snprintf(err, errlen, "the backup folder's name is too long");
		return CRM_EINVAL;
	}
	why[0] = '\0';
	rc = backup_make(cx->db, file, &res, why, sizeof(why));
	if (rc != CRM_OK) {
		log_warn("backup: %s: %s", file, why);
		snprintf(res.file, sizeof(res.file), "%s", file);
		if (res.finished_ms == 0)
			res.finished_ms = time_now_ms();
	} else {
		log_info("backup: %s written (%lld bytes, %zu documents)", file,
		    (long long)res.size, res.files);
	}
	if (backup_record(cx, now ? "manual" : "scheduled", &res, rc == CRM_OK,
	    rc == CRM_OK ? NULL : why) != CRM_OK)
		log_warn("backup: recording the run failed: %s", cx->detail);
	if (!now) {
		if (rc == CRM_OK)
			prune(cx, dir, (int)keep);
		*again = started + every;
		if (*again <= time_now_ms())
			*again = time_now_ms() + 1000;
	}
	return CRM_OK;
}

/* ---- the administrators' view ---- */

int
backup_status(struct core_ctx *cx, json_t **out)
{
	json_t *sched = NULL, *runs, *s = json_null();
	char ts[TIME_RFC3339_LEN];
	int64_t run_at = 0, last = 0, queued, now = time_now_ms(), every = 0;
	bool running = false, null = true, lnull = true;
	db_stmt_t *st;
	int rc;

	rc = core_admin_only(cx, "see the backups");
	if (rc == CRM_OK)
		rc = schedule_get(cx, &sched, &run_at, &running);
	if (rc == CRM_OK)
		rc = one_int(cx, "SELECT MAX(finished_at) FROM backups WHERE ok = 1",
		    -1, &last, &lnull);
	if (rc == CRM_OK)
		rc = one_int(cx, "SELECT COUNT(*) FROM jobs WHERE kind = 'backup' AND "
		    "unique_key IS NULL AND done_at IS NULL", -1, &queued, &null);
	if (rc != CRM_OK) {
		json_decref(sched);
		return rc;
	}
	if (sched != NULL) {
		every = json_integer_value(json_object_get(sched, "every_ms"));
		time_format(run_at, ts, sizeof(ts));
		s = json_pack("{s:O?, s:I, s:O?, s:s}", "dir",
		    json_object_get(sched, "dir"), "every_s", (json_int_t)(every / 1000),
		    "keep", json_object_get(sched, "keep"), "next_at", ts);
	}
	json_decref(sched);
	if (db_prepare(cx->db, "SELECT id, kind, started_at, finished_at, file, "
	    "size, ok, error, removed_at FROM backups ORDER BY id DESC LIMIT ?",
	    &st) != DB_OK) {
		json_decref(s);
		return db_fail(cx, "list");
	}
	db_bind_int(st, 1, RUNS_LISTED);
	runs = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *o = json_object();
		int64_t fin = db_col_int(st, 3);

		json_object_set_new(o, "id", json_integer(db_col_int(st, 0)));
		json_object_set_new(o, "kind", json_string(db_col_text(st, 1, NULL)));
		time_format(db_col_int(st, 2), ts, sizeof(ts));
		json_object_set_new(o, "started_at", json_string(ts));
		time_format(fin, ts, sizeof(ts));
		json_object_set_new(o, "finished_at", json_string(ts));
		json_object_set_new(o, "age_s", json_integer((now - fin) / 1000));
		json_object_set_new(o, "file", json_string(db_col_text(st, 4, NULL)));
		json_object_set_new(o, "size", db_col_null(st, 5) ? json_null() :
		    json_integer(db_col_int(st, 5)));
		json_object_set_new(o, "ok", json_boolean(db_col_int(st, 6) != 0));
		json_object_set_new(o, "error", db_col_null(st, 7) ? json_null() :
		    json_string(db_col_text(st, 7, NULL)));
		json_object_set_new(o, "removed", json_boolean(!db_col_null(st, 8)));
		json_array_append_new(runs, o);
	}
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(runs);
		json_decref(s);
		return db_fail(cx, "list step");
	}
	if (!lnull)
		time_format(last, ts, sizeof(ts));
	*out = json_pack("{s:o, s:b, s:I, s:o, s:b, s:o}", "schedule", s,
	    "running", running, "queued", (json_int_t)queued, "last_ok_at",
	    lnull ? json_null() : json_string(ts), "stale", !json_is_null(s) &&
	    (lnull || now - last > 2 * every), "data", runs);
	return CRM_OK;
}
