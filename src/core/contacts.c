/* Contacts: the people, optionally working for a company. */
#include "core/record.h"

#include "util/buf.h"

static const struct field contact_fields[] = {
	{ "first_name", FK_TEXT, F_SORT | F_FILTER | F_SEARCH | F_EMPTY, 100, NULL },
	{ "last_name", FK_TEXT, F_SORT | F_FILTER | F_SEARCH | F_EMPTY, 100, NULL },
	{ "middle_name", FK_TEXT, F_SEARCH, 100, NULL },
	{ "position", FK_TEXT, F_FILTER, 200, NULL },
	{ "emails", FK_EMAILS, F_SEARCH, 0, NULL },
	{ "phones", FK_PHONES, F_SEARCH, 0, NULL },
	{ "company_id", FK_COMPANY, F_FILTER, 0, NULL },
	{ "address", FK_TEXT, 0, 1000, NULL },
	{ "birthday", FK_DATE, 0, 10, NULL },
	{ "source", FK_TEXT, F_FILTER, 100, NULL },
	{ "notes", FK_LONGTEXT, 0, 100000, NULL },
	{ "company_name", FK_DERIVED, 0, 0,
	    "SELECT c.name FROM companies c WHERE c.id = t.company_id" },
};

/* A person needs a name: first, last, or both. */
static void
contact_check(struct core_ctx *cx, json_t *rec)
{
	const char *first = json_string_value(json_object_get(rec, "first_name"));
	const char *last = json_string_value(json_object_get(rec, "last_name"));

	if ((first == NULL || first[0] == '\0') && (last == NULL || last[0] == '\0'))
		verrs_add(&cx->errs, "last_name",
		    "a contact needs a first or a last name");
}

/*
 * Names typed as one word: "山田太郎" (last name first, no space, as
 * Japanese, Chinese and Korean names are written) and "TaroYamada".
 */
static void
contact_search_extra(json_t *rec, struct buf *out)
{
	const char *first = json_string_value(json_object_get(rec, "first_name"));
	const char *last = json_string_value(json_object_get(rec, "last_name"));

	if (first == NULL || last == NULL || first[0] == '\0' || last[0] == '\0')
		return;
	buf_printf(out, " %s%s %s%s", last, first, first, last);
}

const struct entity entity_contacts = {
	.name = "contacts",
	.singular = "contact",
	.fields = contact_fields,
	.nfields = sizeof(contact_fields) / sizeof(contact_fields[0]),
	.check = contact_check,
	.search_extra = contact_search_extra,
};
