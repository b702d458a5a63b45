/* Vocabulary, aliases and unit conversion (osteotrack(1)). */
#include "suites.h"

#include <string.h>

START_TEST(site_names_and_aliases)
{
    ot_site s;
    ck_assert_int_eq(ot_site_parse(&s, "lumbar_spine"), OT_OK);
    ck_assert_int_eq(s, OT_SITE_LUMBAR_SPINE);
    const char *spine[] = {"spine", "L1-L4", "LS", "Lumbar_Spine"};
    for (int i = 0; i < 4; i++) {
        s = OT_SITE_RADIUS_33;
        ck_assert_int_eq(ot_site_parse(&s, spine[i]), OT_OK);
        ck_assert_int_eq(s, OT_SITE_LUMBAR_SPINE);
    }
    ck_assert_int_eq(ot_site_parse(&s, "TH"), OT_OK);
    ck_assert_int_eq(s, OT_SITE_TOTAL_HIP);
    ck_assert_int_eq(ot_site_parse(&s, "fn"), OT_OK);
    ck_assert_int_eq(s, OT_SITE_FEMORAL_NECK);
    ck_assert_int_eq(ot_site_parse(&s, "forearm"), OT_OK);
    ck_assert_int_eq(s, OT_SITE_RADIUS_33);
    ck_assert_str_eq(ot_site_name(OT_SITE_RADIUS_33), "radius_33");
}
END_TEST

START_TEST(unknown_values_are_errors)
{
    ot_site s;
    ot_agent a;
    ot_manufacturer m;
    ot_unit u;
    ck_assert_int_eq(ot_site_parse(&s, "knee"), OT_EVOCAB);
    ck_assert_int_eq(ot_site_parse(&s, ""), OT_EVOCAB);
    ck_assert_int_eq(ot_site_parse(&s, "spine "), OT_EVOCAB);
    ck_assert_int_eq(ot_site_parse(&s, NULL), OT_EINVAL);
    ck_assert_int_eq(ot_agent_parse(&a, "aspirin"), OT_EVOCAB);
    ck_assert_int_eq(ot_manufacturer_parse(&m, "siemens"), OT_EVOCAB);
    ck_assert_int_eq(ot_unit_parse(&u, "mmol/L"), OT_EVOCAB);
}
END_TEST

START_TEST(agents_brands_and_classes)
{
    ot_agent a;
    ck_assert_int_eq(ot_agent_parse(&a, "Prolia"), OT_OK);
    ck_assert_int_eq(a, OT_AGENT_DENOSUMAB);
    ck_assert_int_eq(ot_agent_parse(&a, "FOSAMAX"), OT_OK);
    ck_assert_int_eq(a, OT_AGENT_ALENDRONATE);
    ck_assert_int_eq(ot_agent_parse(&a, "none"), OT_OK);
    ck_assert_int_eq(a, OT_AGENT_NONE);
    ck_assert_int_eq(ot_agent_class_of(OT_AGENT_RISEDRONATE), OT_CLASS_ORAL_BISPHOSPHONATE);
    ck_assert_int_eq(ot_agent_class_of(OT_AGENT_ZOLEDRONATE), OT_CLASS_IV_BISPHOSPHONATE);
    ck_assert_int_eq(ot_agent_class_of(OT_AGENT_ABALOPARATIDE), OT_CLASS_ANABOLIC);
    ck_assert_int_eq(ot_agent_class_of(OT_AGENT_ROMOSOZUMAB), OT_CLASS_ROMOSOZUMAB);
    ck_assert_str_eq(ot_agent_name(OT_AGENT_TERIPARATIDE), "teriparatide");
}
END_TEST

START_TEST(manufacturers_and_fracture_sites)
{
    ot_manufacturer m;
    ot_fracture_site f;
    ck_assert_int_eq(ot_manufacturer_parse(&m, "Lunar"), OT_OK);
    ck_assert_int_eq(m, OT_MFR_GE_LUNAR);
    ck_assert_int_eq(ot_manufacturer_parse(&m, "GE"), OT_OK);
    ck_assert_int_eq(m, OT_MFR_GE_LUNAR);
    ck_assert_str_eq(ot_manufacturer_name(OT_MFR_GE_LUNAR), "ge_lunar");
    ck_assert_int_eq(ot_fracture_site_parse(&f, "Vertebral"), OT_OK);
    ck_assert_int_eq(f, OT_FX_VERTEBRAL);
    /* the sites the IOF criteria leave out, and the common spellings */
    ck_assert_int_eq(ot_fracture_site_parse(&f, "ankle"), OT_OK);
    ck_assert_int_eq(f, OT_FX_ANKLE);
    ck_assert_int_eq(ot_fracture_site_parse(&f, "Proximal_Humerus"), OT_OK);
    ck_assert_int_eq(f, OT_FX_HUMERUS);
    ck_assert_int_eq(ot_fracture_site_parse(&f, "distal_forearm"), OT_OK);
    ck_assert_int_eq(f, OT_FX_WRIST);
    ck_assert_int_eq(ot_fracture_site_parse(&f, "finger"), OT_OK);
    ck_assert_int_eq(f, OT_FX_HAND_FINGER);
    ck_assert_int_eq(ot_fracture_site_parse(&f, "toes"), OT_OK);
    ck_assert_int_eq(f, OT_FX_FOOT_TOE);
    ck_assert_int_eq(ot_fracture_site_parse(&f, "skull"), OT_OK);
    ck_assert_int_eq(f, OT_FX_SKULL_FACE);
    ck_assert_int_eq(ot_fracture_site_parse(&f, "morphometric_vertebral"), OT_OK);
    ck_assert_int_eq(f, OT_FX_VERTEBRAL);
    ck_assert_str_eq(ot_fracture_site_name(OT_FX_HAND_FINGER), "hand_finger");
    ck_assert_int_eq(ot_fracture_site_parse(&f, "knee"), OT_EVOCAB);
    /* who the patient is */
    ot_sex sx;
    ot_menopause mp;
    ck_assert_int_eq(ot_sex_parse(&sx, "F"), OT_OK);
    ck_assert_int_eq(sx, OT_SEX_FEMALE);
    ck_assert_int_eq(ot_sex_parse(&sx, "Male"), OT_OK);
    ck_assert_int_eq(sx, OT_SEX_MALE);
    ck_assert_str_eq(ot_sex_name(OT_SEX_FEMALE), "female");
    ck_assert_int_eq(ot_sex_parse(&sx, "x"), OT_EVOCAB);
    ck_assert_int_eq(ot_menopause_parse(&mp, "Postmenopausal"), OT_OK);
    ck_assert_int_eq(mp, OT_MENOPAUSE_POST);
    ck_assert_int_eq(ot_menopause_parse(&mp, "peri"), OT_OK);
    ck_assert_int_eq(mp, OT_MENOPAUSE_PERI);
    ck_assert_int_eq(ot_menopause_parse(&mp, "menopause"), OT_EVOCAB);
}
END_TEST

START_TEST(unit_spellings)
{
    ot_unit u;
    ck_assert_int_eq(ot_unit_parse(&u, "g/cm\xc2\xb2"), OT_OK); /* g/cm² */
    ck_assert_int_eq(u, OT_UNIT_G_CM2);
    ck_assert_int_eq(ot_unit_parse(&u, "G/CM^2"), OT_OK);
    ck_assert_int_eq(u, OT_UNIT_G_CM2);
    ck_assert_int_eq(ot_unit_parse(&u, "\xc2\xb5g/L"), OT_OK); /* µg/L */
    ck_assert_int_eq(u, OT_UNIT_UG_L);
    ck_assert_int_eq(ot_unit_parse(&u, "mcg/L"), OT_OK);
    ck_assert_int_eq(u, OT_UNIT_UG_L);
    ck_assert_int_eq(ot_unit_parse(&u, "pg/mL"), OT_OK);
    ck_assert_int_eq(u, OT_UNIT_PG_ML);
}
END_TEST

START_TEST(unit_conversion)
{
    double v = 0;
    /* 812 mg/cm2 / 1000 = 0.812 g/cm2 */
    ck_assert_int_eq(ot_unit_to_canonical(&v, OT_ANALYTE_BMD, OT_UNIT_MG_CM2, 812.0), OT_OK);
    ck_assert_near(v, 0.812, 1e-12);
    /* P1NP: ng/mL is the same number as ug/L */
    ck_assert_int_eq(ot_unit_to_canonical(&v, OT_ANALYTE_P1NP, OT_UNIT_NG_ML, 45.0), OT_OK);
    ck_assert_near(v, 45.0, 1e-12);
    /* CTX: 0.54 ng/mL x 1000 = 540 ng/L; pg/mL = ng/L */
    ck_assert_int_eq(ot_unit_to_canonical(&v, OT_ANALYTE_CTX, OT_UNIT_NG_ML, 0.54), OT_OK);
    ck_assert_near(v, 540.0, 1e-9);
    ck_assert_int_eq(ot_unit_to_canonical(&v, OT_ANALYTE_CTX, OT_UNIT_PG_ML, 300.0), OT_OK);
    ck_assert_near(v, 300.0, 1e-12);
    /* CTX in ug/L (UK laboratories): 1 ug/L = 1 ng/mL, so 0.58 ug/L = 580 ng/L */
    ck_assert_int_eq(ot_unit_to_canonical(&v, OT_ANALYTE_CTX, OT_UNIT_UG_L, 0.58), OT_OK);
    ck_assert_near(v, 580.0, 1e-9);
    /* a unit of another analyte is an error */
    ck_assert_int_eq(ot_unit_to_canonical(&v, OT_ANALYTE_CTX, OT_UNIT_MG_CM2, 1.0), OT_EUNIT);
    ck_assert_int_eq(ot_unit_to_canonical(&v, OT_ANALYTE_BMD, OT_UNIT_UG_L, 1.0), OT_EUNIT);
    ck_assert_int_eq(ot_unit_to_canonical(&v, OT_ANALYTE_P1NP, OT_UNIT_NG_L, 1.0), OT_EUNIT);
}
END_TEST

START_TEST(one_number_syntax)
{
    double v = 0;
    ck_assert_int_eq(ot_parse_number(&v, "0.812", 5), OT_OK);
    ck_assert_near(v, 0.812, 1e-15);
    ck_assert_int_eq(ot_parse_number(&v, "-2.5", 4), OT_OK);
    ck_assert_near(v, -2.5, 1e-15);
    ck_assert_int_eq(ot_parse_number(&v, "1.2e3", 5), OT_OK);
    ck_assert_near(v, 1200.0, 1e-9);
    /* only the first n bytes are read */
    ck_assert_int_eq(ot_parse_number(&v, "12x", 2), OT_OK);
    ck_assert_near(v, 12.0, 1e-15);
    static const char *const bad[] = {"", "0x10", "nan", "inf", "1,5", " 1", "1 ", "e5", "1e",
                                      "+", ".", "1.2.3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(ot_parse_number(&v, bad[i], strlen(bad[i])) == OT_EPARSE, "'%s'", bad[i]);
    ck_assert_int_eq(ot_parse_number(&v, "1e999", 5), OT_ERANGE);
    ck_assert_int_eq(ot_parse_number(NULL, "1", 1), OT_EINVAL);
}
END_TEST

START_TEST(status_strings)
{
    ck_assert_str_eq(ot_strerror(OT_OK), "success");
    ck_assert_str_eq(ot_strerror(OT_EUNIT), "unknown or mismatched unit");
    ck_assert_str_eq(ot_strerror(-999), "unknown status");
    ck_assert_str_eq(ot_version(), OT_VERSION_STRING);
    ck_assert_str_eq(ot_flag_code_name(OT_FLAG_UNTREATED_OSTEOPOROSIS), "UNTREATED_OSTEOPOROSIS");
}
END_TEST

Suite *suite_vocab(void)
{
    Suite *s = suite_create("vocab");
    TCase *tc = tcase_create("vocab");
    tcase_add_test(tc, site_names_and_aliases);
    tcase_add_test(tc, unknown_values_are_errors);
    tcase_add_test(tc, agents_brands_and_classes);
    tcase_add_test(tc, manufacturers_and_fracture_sites);
    tcase_add_test(tc, unit_spellings);
    tcase_add_test(tc, unit_conversion);
    tcase_add_test(tc, status_strings);
    tcase_add_test(tc, one_number_syntax);
    suite_add_tcase(s, tc);
    return s;
}
