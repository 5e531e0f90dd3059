/* Flag parsing with environment and config-file fallbacks; password input. */
#include "cli/cli.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/alloc.h"

static struct opt *
find(struct opt *opts, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
			return &opts[i];
	return NULL;
}

const char *
opt_get(const struct opt *opts, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(opts[i].name, name) == 0)
			return opts[i].value;
	return NULL;
}

/* Reads "name = value" lines; '#' starts a comment. Values kept in *store. */
static int
read_config(const char *path, struct opt *opts, size_t n, char **store)
{
	FILE *f = fopen(path, "r");
	char *data, *line, *save = NULL;
	long size;
	int lineno = 0;

	if (f == NULL) {
		fprintf(stderr, "crm: cannot read config file %s\n", path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    size > 65536 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "crm: config file %s is not a small text file\n", path);
		fclose(f);
		return -1;
	}
	data = xmalloc((size_t)size + 1);
	if (fread(data, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(data);
		fprintf(stderr, "crm: cannot read config file %s\n", path);
		return -1;
	}
	fclose(f);
	data[size] = '\0';
	*store = data;
	for (line = strtok_r(data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *eq, *k, *v, *end;
		struct opt *o;

		lineno++;
		line[strcspn(line, "#")] = '\0';
		k = line + strspn(line, " \t\r");
		if (*k == '\0')
			continue;
		eq = strchr(k, '=');
		if (eq == NULL) {
			fprintf(stderr, "crm: %s:%d: expected name = value\n", path,
			    lineno);
			return -1;
		}
		end = eq;
		while (end > k && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		v = eq + 1 + strspn(eq + 1, " \t");
		v[strcspn(v, "\r")] = '\0';
		for (char *t = v + strlen(v); t > v && (t[-1] == ' ' || t[-1] == '\t'); t--)
			t[-1] = '\0';
		o = find(opts, n, k, (size_t)(end - k));
		if (o == NULL) {
			fprintf(stderr, "crm: %s:%d: unknown setting '%.*s'\n", path,
			    lineno, (int)(end - k), k);
			return -1;
		}
		if (o->value == NULL)
			o->value = v;
	}
	return 0;
}

int
opts_parse(int argc, char **argv, struct opt *opts, size_t n, bool *help,
    char **store)
{
	const char *config = getenv("CRM_CONFIG");

	*help = false;
	*store = NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq;
		struct opt *o;
		size_t len;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			*help = true;
			return 0;
		}
		if (strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "crm: unexpected argument '%s' (flags start "
			    "with --; see --help)\n", a);
			return -1;
		}
		a += 2;
		eq = strchr(a, '=');
		len = eq ? (size_t)(eq - a) : strlen(a);
		if (len == 6 && strncmp(a, "config", 6) == 0) {
			config = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
			if (config == NULL) {
				fprintf(stderr, "crm: --config needs a file name\n");
				return -1;
			}
			continue;
		}
		o = find(opts, n, a, len);
		if (o == NULL) {
			fprintf(stderr, "crm: unknown flag --%.*s (see --help)\n",
			    (int)len, a);
			return -1;
		}
		if (o->is_flag) {
			o->value = "1";
		} else if (eq != NULL) {
			o->value = eq + 1;
		} else if (i + 1 < argc) {
			o->value = argv[++i];
		} else {
			fprintf(stderr, "crm: --%s needs a value\n", o->name);
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (opts[i].value == NULL && opts[i].env != NULL &&
		    getenv(opts[i].env) != NULL && getenv(opts[i].env)[0] != '\0')
			opts[i].value = getenv(opts[i].env);
	if (config != NULL && read_config(config, opts, n, store) != 0) {
		/* Callers only free the store of a successful parse. */
		opts_free(*store);
		*store = NULL;
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (opts[i].value == NULL)
			opts[i].value = opts[i].def;
	return 0;
}

void
opts_free(char *store)
{
	free(store);
}

void
opts_usage(const char *usage, const char *about, const struct opt *opts,
    size_t n)
{
	printf("usage: %s\n\n%s\n\nflags:\n", usage, about);
	for (size_t i = 0; i < n; i++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s", opts[i].name,
		    opts[i].is_flag ? "" : " VALUE");
		printf("  %-24s %s", left, opts[i].help);
		if (opts[i].env != NULL)
			printf(" [env %s]", opts[i].env);
		if (opts[i].def != NULL)
			printf(" (default %s)", opts[i].def);
		printf("\n");
	}
	printf("  %-24s %s\n", "--config FILE", "read settings from FILE, "
	    "lines of name = value [env CRM_CONFIG]");
	printf("  %-24s %s\n", "--help", "show this help");
}

static int
prompt(const char *msg, char *out, size_t outlen)
{
	struct termios old, quiet;
	size_t len;

	fprintf(stderr, "%s", msg);
	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	if (fgets(out, (int)outlen, stdin) == NULL)
		out[0] = '\0';
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fprintf(stderr, "\n");
	len = strcspn(out, "\n");
	out[len] = '\0';
	return 0;
}

int
read_password(const char *env, const char *email, char *out, size_t outlen)
{
	const char *v = getenv(env);
	char again[1100];

	if (v != NULL && v[0] != '\0') {
		if (strlen(v) >= outlen) {
			fprintf(stderr, "crm: %s is too long\n", env);
			return -1;
		}
		memcpy(out, v, strlen(v) + 1);
		return 0;
	}
	if (isatty(STDIN_FILENO)) {
		if (prompt("Password: ", out, outlen) != 0 ||
		    prompt("Again: ", again, sizeof(again)) != 0)
			return -1;
		if (strcmp(out, again) != 0) {
			fprintf(stderr, "crm: the two passwords differ\n");
			return -1;
		}
		sodium_memzero(again, sizeof(again));
		return 0;
	}
	{
		unsigned char raw[18];

		randombytes_buf(raw, sizeof(raw));
		sodium_bin2base64(out, outlen, raw, sizeof(raw),
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		printf("Generated password for %s (shown once, keep it safe): %s\n",
		    email, out);
	}
	return 0;
}
