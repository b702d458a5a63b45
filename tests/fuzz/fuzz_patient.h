/* A fixed patient with scans on two devices, markers, therapies and a
 * fracture, for the harnesses that change the reference data. */
#ifndef OT_FUZZ_PATIENT_H
#define OT_FUZZ_PATIENT_H

static const char fuzz_patient_json[] =
    "{\"patient_id\":\"F1\",\"therapies\":[{\"agent\":\"alendronate\",\"start\":\"2019-01-15\","
    "\"end\":\"2023-01-15\"},{\"agent\":\"denosumab\",\"start\":\"2023-02-01\"}],"
    "\"observations\":["
    "{\"date\":\"2019-01-10\",\"analyte\":\"bmd\",\"site\":\"lumbar_spine\",\"value\":0.812,"
    "\"device\":\"DXA-1\",\"manufacturer\":\"hologic\",\"tscore\":-2.7},"
    "{\"date\":\"2019-01-10\",\"analyte\":\"bmd\",\"site\":\"femoral_neck\",\"value\":0.6},"
    "{\"date\":\"2021-01-20\",\"analyte\":\"bmd\",\"site\":\"lumbar_spine\",\"value\":0.858,"
    "\"device\":\"DXA-1\",\"manufacturer\":\"hologic\"},"
    "{\"date\":\"2022-01-20\",\"analyte\":\"bmd\",\"site\":\"lumbar_spine\",\"value\":0.87,"
    "\"device\":\"DXA-1\",\"manufacturer\":\"hologic\"},"
    "{\"date\":\"2023-01-25\",\"analyte\":\"bmd\",\"site\":\"lumbar_spine\",\"value\":0.91,"
    "\"device\":\"DXA-2\",\"manufacturer\":\"ge_lunar\"},"
    "{\"date\":\"2023-01-25\",\"analyte\":\"bmd\",\"site\":\"femoral_neck\",\"value\":0.58},"
    "{\"date\":\"2019-01-10\",\"analyte\":\"p1np\",\"value\":52},"
    "{\"date\":\"2019-04-12\",\"analyte\":\"p1np\",\"value\":28},"
    "{\"date\":\"2019-01-10\",\"analyte\":\"ctx\",\"value\":540},"
    "{\"date\":\"2019-04-12\",\"analyte\":\"ctx\",\"value\":0.19,\"unit\":\"ng/mL\"},"
    "{\"date\":\"2023-01-30\",\"analyte\":\"ctx\",\"value\":400}],"
    "\"fractures\":[{\"date\":\"2020-06-01\",\"site\":\"vertebral\"}]}";

#endif
