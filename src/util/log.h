/*
 * Logging to standard error, one line per event. log_json() writes a
 * structured line (the access log) that the caller has already formatted.
 * Thread-safe: each call is a single write(2).
 */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes line (without newline) and a newline in one write. */
void log_line(const char *line);

#endif
