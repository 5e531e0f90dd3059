/*
 * Shared by core/kpi_cards.c and core/kpi_results.c only: a scorecard as
 * loaded, its people, and who of them the actor may see.
 */
#ifndef CORE_KPI_INT_H
#define CORE_KPI_INT_H

#include "core/kpi.h"

#define KPI_PEOPLE_MAX 2000	/* people of one scorecard in one answer */
#define KPI_HEADED_MAX 2000	/* departments one head heads, below included */

struct kpi_card {
	int64_t		id;
	char		name[KPI_NAME_MAX * 4 + 1];	/* UTF-8 */
	char		applies[16];
	json_t		*user_ids;	/* owned: an array */
	int64_t		department_id;	/* 0: none */
	int64_t		role_id;	/* 0: none */
	char		period_kind[16];
	struct kpi_line	lines[KPI_LINES_MAX];
	int		nlines;
	int64_t		created_at;
	int64_t		updated_at;
	int64_t		version;
};

struct kpi_person {
	int64_t	id;
	char	name[256];
	int64_t	department_id;	/* 0: none */
	bool	visible;	/* the actor may see their results */
	bool	headed;		/* the actor heads them (may close them) */
};

/*
 * Loads live scorecard id into *c (release with kpi_card_free);
 * CRM_ENOTFOUND when there is none.
 */
int kpi_card_load(struct core_ctx *cx, int64_t id, struct kpi_card *c);
void kpi_card_free(struct kpi_card *c);

/*
 * The active people c applies to, by name, marked visible and headed for
 * the actor; *out is malloc'ed (the caller frees), *n how many.
 */
int kpi_card_people(struct core_ctx *cx, const struct kpi_card *c,
    struct kpi_person **out, int *n);

#endif
