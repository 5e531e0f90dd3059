/* Companies: the client organisations. The descriptor is the whole entity. */
#include "core/record.h"

static const struct field company_fields[] = {
	{ "name", FK_TEXT, F_REQUIRED | F_SORT | F_FILTER | F_SEARCH, 200, NULL },
	{ "legal_name", FK_TEXT, F_FILTER | F_SEARCH, 300, NULL },
	{ "tax_id", FK_TEXT, F_FILTER | F_SEARCH, 50, NULL },
	{ "website", FK_URL, 0, 2048, NULL },
	{ "emails", FK_EMAILS, F_SEARCH, 0, NULL },
	{ "phones", FK_PHONES, F_SEARCH, 0, NULL },
	{ "address", FK_TEXT, 0, 1000, NULL },
	{ "industry", FK_TEXT, F_FILTER, 100, NULL },
	{ "source", FK_TEXT, F_FILTER, 100, NULL },
	{ "notes", FK_LONGTEXT, 0, 100000, NULL },
};

const struct entity entity_companies = {
	.name = "companies",
	.singular = "company",
	.fields = company_fields,
	.nfields = sizeof(company_fields) / sizeof(company_fields[0]),
	.check = NULL,
};
