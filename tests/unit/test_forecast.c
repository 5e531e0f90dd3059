/*
 * core/forecast: the history method on synthetic series. A seasonal shape
 * repeated for four years with 10% growth a year is forecast for the next
 * twelve months within 0.1% (exactly but for rounding), and within 5% when
 * every month carries up to 3% of noise; the trend on a hand case; years
 * before the data's start are skipped; the backtest's errors and MAPE on a
 * hand-computed case; the range widened by the MAPE.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/forecast.h"

/* A month's shape, in thousands of minor units: a December peak. */
static const int64_t shape[12] = { 80, 70, 90, 100, 110, 120, 100, 90, 110,
	130, 150, 200 };

/* Month m of the series: shape * 1.1^(year) * 1000, with noise_bp. */
static int64_t
synthetic(int m, int noise_bp)
{
	int64_t v = shape[m % 12] * 1000000;

	for (int y = 0; y < m / 12; y++)
		v = v * 11 / 10;
	return v + v * noise_bp / 10000;
}

/* A fixed pseudo-random noise in [-300, 300] basis points. */
static int
noise(int m)
{
	uint32_t x = (uint32_t)m * 2654435761u;

	return (int)(x % 601) - 300;
}

static void
seasonal_growth_is_recovered(void **state)
{
	int64_t a[48];
	struct fc_series s = { a, 48, 0 };
	bool data;

	(void)state;
	for (int m = 0; m < 48; m++)
		a[m] = synthetic(m, 0);
	s.start = fc_data_start(a, 48);
	assert_int_equal(s.start, 0);
	assert_int_equal(fc_trend_bp(&s, 48, &data), 11000);
	assert_true(data);
	for (int t = 48; t < 60; t++) {
		int64_t v, lo, hi, want = synthetic(t, 0);
		int years;

		assert_int_equal(fc_history(&s, 48, t, &v, &lo, &hi, &years), 0);
		assert_int_equal(years, 3);
		/* Within 0.1%: only the rounding of each step differs. */
		assert_true(llabs(v - want) * 1000 <= want);
		assert_true(lo <= v && v <= hi);
	}
}

static void
noisy_seasonal_is_recovered_within_five_percent(void **state)
{
	int64_t a[48];
	struct fc_series s = { a, 48, 0 };

	(void)state;
	for (int m = 0; m < 48; m++)
		a[m] = synthetic(m, noise(m));
	s.start = fc_data_start(a, 48);
	for (int t = 48; t < 60; t++) {
		int64_t v, lo, hi, want = synthetic(t, 0);
		int years;

		assert_int_equal(fc_history(&s, 48, t, &v, &lo, &hi, &years), 0);
		assert_true(llabs(v - want) * 100 <= 5 * want);
	}
}

static void
trend_on_a_hand_case(void **state)
{
	int64_t a[24];
	struct fc_series s = { a, 24, 0 };
	int64_t v, lo, hi;
	int years;
	bool data;

	(void)state;
	for (int m = 0; m < 24; m++)
		a[m] = m < 12 ? 100 : 150;
	/* 1800 / 1200 = 1.5 */
	assert_int_equal(fc_trend_bp(&s, 24, &data), 15000);
	assert_true(data);
	/* Month 24: 150 * 1.5 = 225 and 100 * 1.5 * 1.5 = 225. */
	assert_int_equal(fc_history(&s, 24, 24, &v, &lo, &hi, &years), 0);
	assert_int_equal(v, 225);
	assert_int_equal(years, 2);
	/* A collapse is clamped to half, a boom to double. */
	for (int m = 12; m < 24; m++)
		a[m] = 10;
	assert_int_equal(fc_trend_bp(&s, 24, &data), FORECAST_TREND_MIN_BP);
	for (int m = 12; m < 24; m++)
		a[m] = 1000;
	assert_int_equal(fc_trend_bp(&s, 24, &data), FORECAST_TREND_MAX_BP);
	/* Not 24 months of data: no trend from data. */
	assert_int_equal(fc_trend_bp(&s, 20, &data), 10000);
	assert_false(data);
}

static void
years_before_the_data_are_skipped(void **state)
{
	int64_t a[36] = { 0 };
	struct fc_series s = { a, 36, 0 };
	int64_t v, lo, hi;
	int years;
	bool data;

	(void)state;
	/* The CRM was first used 14 months ago (month 22). */
	for (int m = 22; m < 36; m++)
		a[m] = 500 + m;
	s.start = fc_data_start(a, 36);
	assert_int_equal(s.start, 22);
	assert_int_equal(fc_trend_bp(&s, 36, &data), 10000);
	assert_false(data);
	/* Month 36: only month 24 (k = 1); 12 and 0 are before the start. */
	assert_int_equal(fc_history(&s, 36, 36, &v, &lo, &hi, &years), 0);
	assert_int_equal(years, 1);
	assert_int_equal(v, 524);
	assert_int_equal(lo, 524);
	assert_int_equal(hi, 524);
	/* Month 40 would need month 28 (known) ... and month 45 month 33. */
	assert_int_equal(fc_history(&s, 36, 45, &v, &lo, &hi, &years), 0);
	assert_int_equal(v, 533);
	/* No data at all: no history. */
	memset(a, 0, sizeof(a));
	s.start = fc_data_start(a, 36);
	assert_int_equal(s.start, 36);
	assert_int_equal(fc_history(&s, 36, 36, &v, &lo, &hi, &years), -1);
	assert_int_equal(years, 0);
}

static void
backtest_on_a_hand_case(void **state)
{
	int64_t a[15], f[3], e[3];
	struct fc_series s = { a, 15, 0 };

	(void)state;
	for (int m = 0; m < 12; m++)
		a[m] = 100;
	a[12] = 110;	/* forecast 100: |100 - 110| / 110 = 909.09 bp */
	a[13] = 90;	/* forecast 100: 10 / 90 = 1111.1 bp */
	a[14] = 0;	/* forecast 100; no actual: no error */
	assert_int_equal(fc_backtest(&s, 12, f, e), (909 + 1111 + 1) / 2);
	assert_int_equal(f[0], 100);
	assert_int_equal(e[0], 909);
	assert_int_equal(f[1], 100);
	assert_int_equal(e[1], 1111);
	assert_int_equal(f[2], 100);
	assert_int_equal(e[2], -1);
	/* Months without a year before them have no forecast and no MAPE. */
	s.n = 10;
	assert_int_equal(fc_backtest(&s, 7, f, e), -1);
	assert_int_equal(f[0], -1);
	assert_int_equal(e[2], -1);
}

static void
range_widens_by_the_backtest_error(void **state)
{
	int64_t lo = 950, hi = 1020;

	(void)state;
	fc_range(1000, 1000, &lo, &hi);		/* 10% */
	assert_int_equal(lo, 900);
	assert_int_equal(hi, 1100);
	lo = 500;
	hi = 1500;
	fc_range(1000, 1000, &lo, &hi);		/* the years spread wider */
	assert_int_equal(lo, 500);
	assert_int_equal(hi, 1500);
	lo = hi = 100;
	fc_range(100, 25000, &lo, &hi);		/* never below 0 */
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 350);
	lo = hi = 100;
	fc_range(100, -1, &lo, &hi);		/* no MAPE */
	assert_int_equal(lo, 100);
	assert_int_equal(hi, 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seasonal_growth_is_recovered),
		cmocka_unit_test(noisy_seasonal_is_recovered_within_five_percent),
		cmocka_unit_test(trend_on_a_hand_case),
		cmocka_unit_test(years_before_the_data_are_skipped),
		cmocka_unit_test(backtest_on_a_hand_case),
		cmocka_unit_test(range_widens_by_the_backtest_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
