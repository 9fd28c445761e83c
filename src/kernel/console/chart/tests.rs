//! The charts parsed back as XML: well-formed, accessible, and with the marks the data asks for.

use super::*;

fn labels(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn series(name: &str, values: &[f64]) -> Series {
    Series {
        name: name.into(),
        values: values.to_vec(),
    }
}

/// The elements named `tag` with class `class` (among possibly several classes).
fn marks<'a>(doc: &'a roxmltree::Document, tag: &str, class: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.has_tag_name(tag))
        .filter(|n| n.attribute("class").is_some_and(|c| c.split(' ').any(|c| c == class)))
        .collect()
}

/// The text of each mark's `<title>` child.
fn tooltips(nodes: &[roxmltree::Node]) -> Vec<String> {
    nodes
        .iter()
        .map(|n| {
            n.children()
                .find(|c| c.has_tag_name("title"))
                .and_then(|t| t.text())
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

fn texts(doc: &roxmltree::Document, class: &str) -> Vec<String> {
    marks(doc, "text", class)
        .iter()
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_line_chart_is_accessible_scalable_svg_with_one_point_per_value() {
    let x = labels(&["Sen", "Sel", "Rab"]);
    let chart = Chart {
        title: "Waktu tunggu Poli Anak",
        x_labels: &x,
        unit: "menit",
    };
    let svg = line_chart(
        &chart,
        &[
            series("Poli Anak", &[12.0, 1250.0, 30.5]),
            series("Poli Gigi", &[5.0, 7.0, 9.0]),
        ],
    );
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("role"), Some("img"));
    assert_eq!(root.attribute("aria-label"), Some("Waktu tunggu Poli Anak"));
    assert_eq!(root.attribute("viewBox"), Some("0 0 720 360"));
    assert_eq!(root.attribute("width"), Some("100%"));
    let first = root.first_element_child().expect("a first child");
    assert_eq!(
        (first.tag_name().name(), first.text()),
        ("title", Some("Waktu tunggu Poli Anak"))
    );

    let points = marks(&doc, "circle", "point");
    assert_eq!(points.len(), 6);
    let tips = tooltips(&points);
    assert_eq!(&tips[..3], ["Sen: 12 menit", "Sel: 1.250 menit", "Rab: 30,5 menit"]);
    assert_eq!(marks(&doc, "g", "series").len(), 2);
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("polyline")).count(), 2);
    assert_eq!(texts(&doc, "x-label"), ["Sen", "Sel", "Rab"]);
    let legend: Vec<_> = marks(&doc, "g", "legend")[0]
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or(""))
        .collect();
    assert_eq!(legend, ["Poli Anak", "Poli Gigi"]);
    assert!(texts(&doc, "unit").contains(&"menit".to_string()));
}

#[test]
fn higher_values_are_drawn_higher_and_the_base_is_zero() {
    let x = labels(&["a", "b"]);
    let chart = Chart {
        title: "t",
        x_labels: &x,
        unit: "",
    };
    let svg = line_chart(&chart, &[series("s", &[10.0, 40.0])]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let ys: Vec<f64> = marks(&doc, "circle", "point")
        .iter()
        .map(|n| n.attribute("cy").unwrap().parse().unwrap())
        .collect();
    assert!(ys[1] < ys[0], "40 is above 10 (SVG y grows downwards): {ys:?}");
    assert_eq!(texts(&doc, "tick").first().map(String::as_str), Some("0"));
    assert_eq!(tooltips(&marks(&doc, "circle", "point")), ["a: 10", "b: 40"]);
}

#[test]
fn bar_charts_group_one_bar_per_series_in_each_band_without_overlap() {
    let x = labels(&["Jan", "Feb", "Mar", "Apr"]);
    let chart = Chart {
        title: "Iuran per program",
        x_labels: &x,
        unit: "Rp",
    };
    let svg = bar_chart(
        &chart,
        &[
            series("JKN", &[1_250_000.0, 0.0, 3.0, 4.0]),
            series("JHT", &[5.0, 6.0, 7.0, 8.0]),
        ],
    );
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let bars = marks(&doc, "rect", "bar");
    assert_eq!(bars.len(), 8);
    assert_eq!(tooltips(&bars)[0], "Jan: 1.250.000 Rp");
    let span = |n: &roxmltree::Node| {
        let x: f64 = n.attribute("x").unwrap().parse().unwrap();
        (x, x + n.attribute("width").unwrap().parse::<f64>().unwrap())
    };
    let (jkn_jan, jht_jan, jkn_feb) = (span(&bars[0]), span(&bars[4]), span(&bars[1]));
    assert!(jkn_jan.1 <= jht_jan.0, "side by side: {jkn_jan:?} {jht_jan:?}");
    assert!(
        jht_jan.1 <= jkn_feb.0,
        "the next band starts after the group: {jht_jan:?} {jkn_feb:?}"
    );
    let zero_bar = &bars[1];
    assert_eq!(zero_bar.attribute("height"), Some("0"));
}

#[test]
fn every_text_is_escaped() {
    let x = labels(&["<Senin> & \"Selasa\""]);
    let chart = Chart {
        title: "Poli <Anak> & 'Gigi'",
        x_labels: &x,
        unit: "m&m",
    };
    let svg = bar_chart(&chart, &[series("a</text><script>alert(1)</script>", &[1.0])]);
    let doc = roxmltree::Document::parse(&svg).expect("well-formed despite markup in the texts");
    assert!(!svg.contains("<script>"));
    assert_eq!(doc.root_element().attribute("aria-label"), Some("Poli <Anak> & 'Gigi'"));
    assert_eq!(tooltips(&marks(&doc, "rect", "bar")), ["<Senin> & \"Selasa\": 1 m&m"]);
    assert_eq!(
        marks(&doc, "g", "series")[0].attribute("data-series"),
        Some("a</text><script>alert(1)</script>")
    );
}

#[test]
fn no_finite_value_says_belum_ada_data() {
    let x = labels(&["a", "b"]);
    let chart = Chart {
        title: "Kosong",
        x_labels: &x,
        unit: "menit",
    };
    let cases: [&[Series]; 4] = [
        &[],
        &[Series {
            name: "s".into(),
            values: vec![],
        }],
        &[Series {
            name: "s".into(),
            values: vec![f64::NAN, f64::INFINITY],
        }],
        &[Series {
            name: "s".into(),
            values: vec![f64::NEG_INFINITY],
        }],
    ];
    for data in cases {
        for svg in [line_chart(&chart, data), bar_chart(&chart, data)] {
            let doc = roxmltree::Document::parse(&svg).expect("well-formed");
            assert_eq!(texts(&doc, "no-data"), [NO_DATA]);
            assert_eq!(doc.root_element().attribute("role"), Some("img"));
            assert_eq!(
                doc.root_element().attribute("aria-label"),
                Some("Kosong: Belum ada data")
            );
            assert!(marks(&doc, "circle", "point").is_empty() && marks(&doc, "rect", "bar").is_empty());
        }
    }
}

#[test]
fn one_point_and_all_zeros_draw_a_real_chart() {
    let one = labels(&["Hari ini"]);
    let chart = Chart {
        title: "t",
        x_labels: &one,
        unit: "menit",
    };
    let doc_text = line_chart(&chart, &[series("s", &[7.0])]);
    let doc = roxmltree::Document::parse(&doc_text).unwrap();
    assert_eq!(tooltips(&marks(&doc, "circle", "point")), ["Hari ini: 7 menit"]);
    assert_eq!(texts(&doc, "x-label"), ["Hari ini"]);

    let x = labels(&["a", "b", "c"]);
    let chart = Chart {
        title: "t",
        x_labels: &x,
        unit: "",
    };
    let svg = bar_chart(&chart, &[series("s", &[0.0, 0.0, 0.0])]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(marks(&doc, "rect", "bar").len(), 3);
    assert!(texts(&doc, "no-data").is_empty());
    assert_eq!(texts(&doc, "tick"), ["0", "0,2", "0,4", "0,6", "0,8", "1"]);
}

#[test]
fn a_missing_value_breaks_the_line_and_draws_no_point() {
    let x = labels(&["1", "2", "3", "4", "5"]);
    let chart = Chart {
        title: "t",
        x_labels: &x,
        unit: "",
    };
    let svg = line_chart(&chart, &[series("s", &[1.0, 2.0, f64::NAN, 4.0, f64::INFINITY])]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(tooltips(&marks(&doc, "circle", "point")), ["1: 1", "2: 2", "4: 4"]);
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("polyline")).count(), 2);
    assert!(!svg.contains("NaN") && !svg.contains("inf"));
}

#[test]
fn y_ticks_are_nice_round_numbers_in_indonesian_format() {
    let x = labels(&["a", "b"]);
    let chart = Chart {
        title: "t",
        x_labels: &x,
        unit: "Rp",
    };
    let svg = line_chart(&chart, &[series("s", &[120_000.0, 1_234_567.0])]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(texts(&doc, "tick"), ["0", "500.000", "1.000.000", "1.500.000"]);

    let svg = line_chart(&chart, &[series("s", &[-3.0, 17.0])]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(texts(&doc, "tick"), ["-5", "0", "5", "10", "15", "20"]);
}

#[test]
fn crowded_x_labels_are_thinned_from_the_first() {
    let days: Vec<String> = (1..=60)
        .map(|d| format!("2026-{:02}-{:02}", 1 + d / 29, 1 + d % 28))
        .collect();
    let chart = Chart {
        title: "t",
        x_labels: &days,
        unit: "",
    };
    let values: Vec<f64> = (0..60).map(f64::from).collect();
    let svg = line_chart(&chart, &[series("s", &values)]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let shown = texts(&doc, "x-label");
    assert!(shown.len() < 20 && shown.len() >= 5, "{} labels", shown.len());
    assert_eq!(shown[0], days[0]);
    assert_eq!(marks(&doc, "circle", "point").len(), 60, "every point is still drawn");
}

#[test]
fn a_series_longer_than_its_labels_numbers_the_rest() {
    let x = labels(&["a"]);
    let chart = Chart {
        title: "t",
        x_labels: &x,
        unit: "",
    };
    let svg = line_chart(&chart, &[series("s", &[1.0, 2.0])]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(tooltips(&marks(&doc, "circle", "point")), ["a: 1", "2: 2"]);
}

#[test]
fn extreme_values_neither_panic_nor_hang() {
    let x = labels(&["a", "b"]);
    let chart = Chart {
        title: "t",
        x_labels: &x,
        unit: "",
    };
    for values in [
        [f64::MAX, -f64::MAX],
        [1e-320, 2e-320],
        [f64::MIN_POSITIVE, 0.0],
        [1e300, 1e300],
    ] {
        for svg in [
            line_chart(&chart, &[series("s", &values)]),
            bar_chart(&chart, &[series("s", &values)]),
        ] {
            let doc = roxmltree::Document::parse(&svg).expect("well-formed");
            assert!(texts(&doc, "tick").len() <= 21);
        }
    }
}

#[test]
fn numbers_are_formatted_the_indonesian_way() {
    let cases = [
        (0.0, "0"),
        (7.0, "7"),
        (1_250_000.0, "1.250.000"),
        (12.5, "12,5"),
        (-1234.56, "-1.234,56"),
        (999.999, "1.000"),
        (0.05, "0,05"),
        (-0.001, "0"),
        (100.0, "100"),
        (1000.0, "1.000"),
        (f64::NAN, "-"),
    ];
    for (value, text) in cases {
        assert_eq!(format_number(value), text, "{value}");
    }
}
