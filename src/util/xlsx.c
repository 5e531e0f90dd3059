/* The XLSX reader (see table.h). */
#include "util/tablepriv.h"

int
txlsx_read(zip_t *z, unsigned long long size, const struct table_opts *o,
    struct table_info *info, table_row_fn fn, void *arg, char *err,
    size_t errlen)
{
	(void)z; (void)size; (void)o; (void)info; (void)fn; (void)arg;
	table_err(err, errlen, "xlsx: not read yet");
	return -1;
}
