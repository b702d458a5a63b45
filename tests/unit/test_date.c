/* Dates: strict parsing, calendar months. */
#include "suites.h"

static ot_date D(const char *s)
{
    ot_date d = OT_DATE_NONE;
    ck_assert_int_eq(ot_date_parse(&d, s), OT_OK);
    return d;
}

START_TEST(parse_and_format_round_trip)
{
    const char *days[] = {"1970-01-01", "2000-02-29", "2024-12-31", "1900-01-01", "2199-12-31"};
    for (int i = 0; i < 5; i++) {
        char buf[11];
        ot_date_format(buf, D(days[i]));
        ck_assert_str_eq(buf, days[i]);
    }
    ck_assert_int_eq(D("1970-01-02") - D("1970-01-01"), 1);
    ck_assert_int_eq(D("2021-01-10") - D("2019-01-10"), 731); /* 2020 is leap */
}
END_TEST

START_TEST(invalid_dates_rejected)
{
    ot_date d;
    const char *bad[] = {"2023-02-29", "2023-02-30", "2024-13-01", "2024-00-10", "2024-04-31",
                         "1899-12-31", "2200-01-01", "2024-1-01", "24-01-01", "2024-01-01x",
                         "2024/01/01", "", "1900-02-29"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(ot_date_parse(&d, bad[i]) == OT_EDATE, "accepted %s", bad[i]);
}
END_TEST

START_TEST(calendar_months)
{
    /* same day of month: whole months */
    ck_assert_near(ot_date_months_between(D("2019-01-10"), D("2021-01-10")), 24.0, 1e-12);
    ck_assert_near(ot_date_months_between(D("2022-03-01"), D("2022-06-01")), 3.0, 1e-12);
    /* 2019-01-31 to 2019-02-28: 1 month + (28 - 31) / 30.4375 = 0.901437 */
    ck_assert_near(ot_date_months_between(D("2019-01-31"), D("2019-02-28")),
                   1.0 - 3.0 / 30.4375, 1e-12);
    /* backwards is negative */
    ck_assert_near(ot_date_months_between(D("2020-07-15"), D("2020-01-15")), -6.0, 1e-12);
}
END_TEST

START_TEST(add_months_clamps)
{
    ck_assert_int_eq(ot_date_add_months(D("2020-01-31"), 1), D("2020-02-29"));
    ck_assert_int_eq(ot_date_add_months(D("2019-01-10"), 24), D("2021-01-10"));
    ck_assert_int_eq(ot_date_add_months(D("2021-03-15"), -3), D("2020-12-15"));
}
END_TEST

Suite *suite_date(void)
{
    Suite *s = suite_create("date");
    TCase *tc = tcase_create("date");
    tcase_add_test(tc, parse_and_format_round_trip);
    tcase_add_test(tc, invalid_dates_rejected);
    tcase_add_test(tc, calendar_months);
    tcase_add_test(tc, add_months_clamps);
    suite_add_tcase(s, tc);
    return s;
}
