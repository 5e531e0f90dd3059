/*
 * Imports: what a column can be mapped to (the targets, from the entity's
 * descriptor and its custom fields) and which target a header suggests.
 *
 * A header is compared after normalising (ASCII and Cyrillic lower-cased,
 * ASCII punctuation and spaces dropped), first with the targets' own names
 * so that a file exported by crm maps onto itself ("name",
 * "custom.segment"), then with custom fields' labels, then with the words
 * people use for the field in English, Russian, Japanese, German, French
 * and Spanish. A suggestion is only a suggestion: the user sees and
 * changes the mapping before anything is read by it.
 */
#include "core/import_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/customfields.h"
#include "util/alloc.h"

#define NORM_MAX 256

/* Words for a field, normalised (see norm()); a field of any entity. */
static const struct {
	const char	*field;
	const char	*words[24];
} synonyms[] = {
	{ "first_name", { "firstname", "givenname", "name", "имя", "名",
	    "名前", "vorname", "prénom", "prenom", "nombre", NULL } },
	{ "last_name", { "lastname", "surname", "familyname", "фамилия", "姓",
	    "苗字", "nachname", "familienname", "nom", "nomdefamille",
	    "apellido", "apellidos", NULL } },
	{ "middle_name", { "middlename", "patronymic", "отчество", NULL } },
	{ "emails", { "email", "emails", "mail", "emailaddress", "почта",
	    "электроннаяпочта", "емейл", "メール", "メールアドレス", "eメール",
	    "emailadresse", "courriel", "adresseemail", "correo",
	    "correoelectrónico", "correoelectronico", NULL } },
	{ "phones", { "phone", "phones", "telephone", "tel", "mobile",
	    "phonenumber", "телефон", "тел", "мобильный", "電話", "電話番号",
	    "携帯", "携帯電話", "telefon", "handy", "téléphone", "portable",
	    "teléfono", "telefono", "móvil", NULL } },
	{ "company_id", { "company", "companyname", "organization",
	    "organisation", "компания", "организация", "会社", "会社名",
	    "firma", "unternehmen", "société", "societe", "entreprise",
	    "empresa", NULL } },
	{ "name", { "company", "companyname", "organization", "organisation",
	    "название", "компания", "наименование", "организация", "会社名",
	    "社名", "firma", "firmenname", "unternehmen", "société", "societe",
	    "entreprise", "empresa", NULL } },
	{ "legal_name", { "legalname", "юридическоеназвание",
	    "полноенаименование", "正式名称", "raisonsociale", "razónsocial",
	    NULL } },
	{ "tax_id", { "taxid", "vat", "vatid", "vatnumber", "inn", "инн",
	    "法人番号", "steuernummer", "ustidnr", "siret", "siren", "nif",
	    "cif", NULL } },
	{ "website", { "website", "web", "url", "site", "сайт", "ウェブサイト",
	    "ホームページ", "webseite", "siteweb", "sitioweb", NULL } },
	{ "industry", { "industry", "отрасль", "業種", "branche", "secteur",
	    "industria", NULL } },
	{ "position", { "position", "jobtitle", "должность", "役職", "poste",
	    "cargo", NULL } },
	{ "address", { "address", "адрес", "住所", "adresse", "dirección",
	    "direccion", NULL } },
	{ "birthday", { "birthday", "birthdate", "dateofbirth", "деньрождения",
	    "датарождения", "誕生日", "生年月日", "geburtstag", "geburtsdatum",
	    "datedenaissance", "fechadenacimiento", NULL } },
	{ "source", { "source", "leadsource", "источник", "流入元", "quelle",
	    "fuente", "origine", NULL } },
	{ "notes", { "notes", "note", "comment", "comments", "примечание",
	    "комментарий", "заметки", "備考", "メモ", "notizen", "bemerkung",
	    "remarques", "notas", NULL } },
	{ "owner_id", { "owner", "responsible", "manager", "ответственный",
	    "менеджер", "владелец", "担当者", "verantwortlich", "responsable",
	    NULL } },
	{ "tags", { "tags", "теги", "метки", "タグ", "étiquettes",
	    "etiquettes", "etiquetas", NULL } },
	{ "title", { "title", "deal", "dealname", "сделка", "案件", "案件名",
	    "titel", "titre", "título", NULL } },
	{ "amount", { "amount", "value", "sum", "сумма", "金額", "betrag",
	    "montant", "importe", "monto", NULL } },
	{ "currency", { "currency", "валюта", "通貨", "währung", "devise",
	    "moneda", NULL } },
	{ "expected_close", { "expectedclose", "closedate", "датазакрытия",
	    "完了予定日", NULL } },
};

/*
 * Lower-cases ASCII and Cyrillic, drops ASCII punctuation and white
 * space: "E-mail" and "email", "Телефон" and "телефон" meet.
 */
static void
norm(const char *s, size_t len, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	for (size_t i = 0; i < len && o + 3 < cap; i++) {
		unsigned char ch = p[i];

		if (ch < 0x80) {
			if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z'))
				out[o++] = (char)ch;
			else if (ch >= 'A' && ch <= 'Z')
				out[o++] = (char)(ch + 32);
			continue;
		}
		if (ch == 0xd0 && i + 1 < len && p[i + 1] >= 0x90 &&
		    p[i + 1] <= 0x9f) {		/* А..П -> а..п */
			out[o++] = (char)0xd0;
			out[o++] = (char)(p[++i] + 0x20);
		} else if (ch == 0xd0 && i + 1 < len && p[i + 1] >= 0xa0 &&
		    p[i + 1] <= 0xaf) {		/* Р..Я -> р..я */
			out[o++] = (char)0xd1;
			out[o++] = (char)(p[++i] - 0x20);
		} else if (ch == 0xd0 && i + 1 < len && p[i + 1] == 0x81) {
			out[o++] = (char)0xd1;	/* Ё -> ё */
			out[o++] = (char)0x91;
			i++;
		} else if (ch == 0xc2 && i + 1 < len && p[i + 1] == 0xa0) {
			i++;			/* no-break space */
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
}

const char *
imp_type_name(enum imp_type t)
{
	static const char *const names[] = {
		"text", "integer", "decimal", "money", "percent", "date",
		"datetime", "emails", "email", "phones", "phone", "url",
		"choice", "multichoice", "boolean", "link", "user", "currency",
		"tags", "id",
	};

	return names[t];
}

static struct imp_target *
add(struct imp_targets *ts, const char *name, enum imp_type type)
{
	struct imp_target *t;

	ts->t = xrealloc(ts->t, (ts->n + 1) * sizeof(*ts->t));
	t = &ts->t[ts->n++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->type = type;
	return t;
}

/* The import type of an entity's field; false when it cannot be imported. */
static bool
field_type(const struct entity *e, const struct field *f, enum imp_type *out)
{
	if (f->flags & F_READONLY)
		return false;
	switch (f->kind) {
	case FK_TEXT:
	case FK_LONGTEXT:
		*out = IT_TEXT;
		return true;
	case FK_EMAILS:
		*out = IT_EMAILS;
		return true;
	case FK_PHONES:
		*out = IT_PHONES;
		return true;
	case FK_URL:
		*out = IT_URL;
		return true;
	case FK_DATE:
		*out = IT_DATE;
		return true;
	case FK_COMPANY:
	case FK_CONTACT:
	case FK_DEAL:
		*out = IT_LINK;
		return true;
	case FK_USER:
		*out = IT_USER;
		return true;
	case FK_INT:
		/* A deal's amount is money in its currency's minor units. */
		*out = e == &entity_deals && strcmp(f->name, "amount") == 0 ?
		    IT_MONEY : IT_INTEGER;
		return true;
	case FK_CURRENCY:
		*out = IT_CURRENCY;
		return true;
	case FK_REF:
		*out = IT_ID;
		return true;
	case FK_TIME:
		*out = IT_DATETIME;
		return true;
	default:
		return false;
	}
}

static const struct {
	const char	*type;
	enum imp_type	 it;
	size_t		 maxlen;
} cf_types[] = {
	{ "text", IT_TEXT, 1000 }, { "long_text", IT_TEXT, 100000 },
	{ "integer", IT_INTEGER, 0 }, { "decimal", IT_DECIMAL, 0 },
	{ "percent", IT_PERCENT, 0 }, { "money", IT_MONEY, 0 },
	{ "date", IT_DATE, 0 }, { "datetime", IT_DATETIME, 0 },
	{ "email", IT_EMAIL, 0 }, { "phone", IT_PHONE, 0 },
	{ "url", IT_URL, 0 }, { "choice", IT_CHOICE, 0 },
	{ "multichoice", IT_MULTICHOICE, 0 }, { "boolean", IT_BOOL, 0 },
};

int
imp_targets_load(struct core_ctx *cx, const struct entity *e,
    struct imp_targets *out)
{
	json_t *list = NULL, *d;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	out->e = e;
	for (i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		struct imp_target *t;
		enum imp_type type;

		if (!field_type(e, f, &type))
			continue;
		t = add(out, f->name, type);
		t->required = (f->flags & F_REQUIRED) != 0;
		t->maxlen = type == IT_TEXT ? f->maxlen : 0;
		t->link = field_link(f);
		t->key = type == IT_EMAILS || type == IT_PHONES ||
		    strcmp(f->name, "tax_id") == 0 ||
		    strcmp(f->name, "external_id") == 0;
	}
	add(out, "owner_id", IT_USER);
	add(out, "tags", IT_TAGS);
	rc = cf_list(cx, e->name, &list);
	if (rc != CRM_OK)
		return rc;
	out->defs = json_incref(json_object_get(list, "data"));
	json_decref(list);
	json_array_foreach(out->defs, i, d) {
		const char *type = json_string_value(json_object_get(d, "type"));
		char name[IMP_NAME_MAX];

		snprintf(name, sizeof(name), "custom.%s",
		    json_string_value(json_object_get(d, "name")));
		for (size_t k = 0; k < sizeof(cf_types) / sizeof(*cf_types); k++) {
			struct imp_target *t;

			if (strcmp(cf_types[k].type, type) != 0)
				continue;
			t = add(out, name, cf_types[k].it);
			t->label = json_string_value(json_object_get(d, "label"));
			t->required = json_is_true(json_object_get(d, "required"));
			t->maxlen = cf_types[k].maxlen;
			t->choices = json_object_get(d, "options");
		}
	}
	return CRM_OK;
}

void
imp_targets_free(struct imp_targets *ts)
{
	free(ts->t);
	json_decref(ts->defs);
	memset(ts, 0, sizeof(*ts));
}

const struct imp_target *
imp_target_find(const struct imp_targets *ts, const char *name)
{
	for (size_t i = 0; i < ts->n; i++)
		if (strcmp(ts->t[i].name, name) == 0)
			return &ts->t[i];
	return NULL;
}

json_t *
imp_targets_json(const struct imp_targets *ts)
{
	json_t *a = json_array();

	for (size_t i = 0; i < ts->n; i++) {
		const struct imp_target *t = &ts->t[i];
		json_t *o = json_pack("{s:s, s:s, s:b}", "name", t->name, "type",
		    imp_type_name(t->type), "required", t->required);

		if (t->label != NULL)
			json_object_set_new(o, "label", json_string(t->label));
		if (t->maxlen > 0)
			json_object_set_new(o, "max_length",
			    json_integer((json_int_t)t->maxlen));
		if (t->choices != NULL)
			json_object_set(o, "choices", t->choices);
		if (t->link != NULL)
			json_object_set_new(o, "links", json_string(t->link->name));
		json_array_append_new(a, o);
	}
	return a;
}

const struct imp_target *
imp_suggest(const struct imp_targets *ts, const char *header, size_t len)
{
	char h[NORM_MAX], n[NORM_MAX];

	norm(header, len, h, sizeof(h));
	if (h[0] == '\0')
		return NULL;
	/* The target's own name, as crm's export writes it. */
	for (size_t i = 0; i < ts->n; i++) {
		norm(ts->t[i].name, strlen(ts->t[i].name), n, sizeof(n));
		if (strcmp(h, n) == 0)
			return &ts->t[i];
	}
	for (size_t i = 0; i < ts->n; i++) {
		if (ts->t[i].label == NULL)
			continue;
		norm(ts->t[i].label, strlen(ts->t[i].label), n, sizeof(n));
		if (strcmp(h, n) == 0)
			return &ts->t[i];
	}
	for (size_t s = 0; s < sizeof(synonyms) / sizeof(*synonyms); s++) {
		const struct imp_target *t = imp_target_find(ts, synonyms[s].field);

		if (t == NULL)
			continue;
		for (size_t w = 0; synonyms[s].words[w] != NULL; w++) {
			norm(synonyms[s].words[w], strlen(synonyms[s].words[w]), n,
			    sizeof(n));
			if (strcmp(h, n) == 0)
				return t;
		}
	}
	return NULL;
}

void
imp_source_key(json_t *headers, char out[IMP_SOURCE_KEY])
{
	crypto_generichash_state st;
	unsigned char sum[16];
	char h[NORM_MAX];
	json_t *v;
	size_t i;

	crypto_generichash_init(&st, NULL, 0, sizeof(sum));
	json_array_foreach(headers, i, v) {
		norm(json_string_value(v), json_string_length(v), h, sizeof(h));
		crypto_generichash_update(&st, (const unsigned char *)h,
		    strlen(h) + 1);
	}
	crypto_generichash_final(&st, sum, sizeof(sum));
	sodium_bin2hex(out, IMP_SOURCE_KEY, sum, sizeof(sum));
}
