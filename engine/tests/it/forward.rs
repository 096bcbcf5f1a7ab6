//! The forward pass's contract: a row's log-probs do not depend on the rows batched with it,
//! nor on whether its beginning came from a cached prefix.

use engine::synthetic::SyntheticSpec;
use engine::{KvCache, Model, Taps};

use crate::support::{max_abs_diff, synthetic};

const TOLERANCE: f32 = 1e-4;

fn logits_alone(model: &Model, tokens: &[u32]) -> Vec<f32> {
    let forward = model.forward(None, &[tokens], false).unwrap();
    model
        .logits(&forward.hidden)
        .unwrap()
        .squeeze(0)
        .unwrap()
        .to_vec1()
        .unwrap()
}

fn assert_bits_equal(a: &[f32], b: &[f32], what: &str) {
    let n_diff = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.to_bits() != y.to_bits())
        .count();
    assert_eq!(n_diff, 0, "{what}: {n_diff} logits differ in their bits");
}

fn rows() -> Vec<Vec<u32>> {
    vec![
        vec![5, 17, 99, 3, 250, 42, 7],
        vec![8],
        vec![
            120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132,
        ],
        vec![260, 1, 2],
    ]
}

fn check_batch_matches_alone(architecture: &str) {
    let s = synthetic(&SyntheticSpec::tiny(architecture));
    let rows = rows();
    let row_refs: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
    let forward = s.model.forward(None, &row_refs, false).unwrap();
    let logits: Vec<Vec<f32>> = s.model.logits(&forward.hidden).unwrap().to_vec2().unwrap();
    for (row, batched) in rows.iter().zip(&logits) {
        let alone = logits_alone(&s.model, row);
        let diff = max_abs_diff(&alone, batched);
        assert!(
            diff < TOLERANCE,
            "{architecture}: row {row:?} differs by {diff}"
        );
    }
}

#[test]
fn batched_rows_of_different_lengths_match_each_row_alone() {
    check_batch_matches_alone("llama");
    check_batch_matches_alone("qwen2");
}

fn check_prefix_continuations(architecture: &str) {
    let s = synthetic(&SyntheticSpec::tiny(architecture));
    let prefix: Vec<u32> = vec![259, 10, 11, 12, 13, 14, 15, 16, 17];
    let cache = s.model.prefill(None, &prefix).unwrap();
    assert_eq!(cache.len(), prefix.len());
    let rows = rows();
    let row_refs: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
    let forward = s.model.forward(Some(&cache), &row_refs, false).unwrap();
    let logits: Vec<Vec<f32>> = s.model.logits(&forward.hidden).unwrap().to_vec2().unwrap();
    for (row, continued) in rows.iter().zip(&logits) {
        let full: Vec<u32> = prefix.iter().chain(row).copied().collect();
        let alone = logits_alone(&s.model, &full);
        let diff = max_abs_diff(&alone, continued);
        assert!(
            diff < TOLERANCE,
            "{architecture}: prefix + {row:?} differs by {diff}"
        );
    }
}

#[test]
fn continuations_of_a_cached_prefix_match_the_full_sequence() {
    check_prefix_continuations("llama");
    check_prefix_continuations("qwen2");
}

#[test]
fn a_prefix_extended_twice_matches_the_full_sequence() {
    let s = synthetic(&SyntheticSpec::tiny("llama"));
    let first = s.model.prefill(None, &[1, 2, 3, 4]).unwrap();
    let second = s.model.prefill(Some(&first), &[5, 6]).unwrap();
    assert_eq!(second.len(), 6);
    let forward = s
        .model
        .forward(Some(&second), &[&[7, 8, 9]], false)
        .unwrap();
    let continued: Vec<f32> = s
        .model
        .logits(&forward.hidden)
        .unwrap()
        .squeeze(0)
        .unwrap()
        .to_vec1()
        .unwrap();
    let alone = logits_alone(&s.model, &[1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert!(max_abs_diff(&alone, &continued) < TOLERANCE);
}

#[test]
fn verdict_logits_are_the_vocabulary_logits_of_those_tokens() {
    let s = synthetic(&SyntheticSpec::tiny("qwen2"));
    let rows = rows();
    let row_refs: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
    let forward = s.model.forward(None, &row_refs, false).unwrap();
    let all: Vec<Vec<f32>> = s.model.logits(&forward.hidden).unwrap().to_vec2().unwrap();
    let picked: Vec<Vec<f32>> = s
        .model
        .logits_for(&forward.hidden, &[42, 7])
        .unwrap()
        .to_vec2()
        .unwrap();
    for (all, picked) in all.iter().zip(&picked) {
        assert!(max_abs_diff(picked, &[all[42], all[7]]) < 1e-5);
    }
}

#[test]
fn hidden_state_has_one_row_per_input_row() {
    let s = synthetic(&SyntheticSpec::tiny("llama"));
    let forward = s.model.forward(None, &[&[1, 2], &[3]], false).unwrap();
    assert_eq!(forward.hidden.dims(), &[2, s.model.config().n_embd]);
}

#[test]
fn synthetic_tokenizer_round_trips_and_keeps_chatml_markers_whole() {
    let s = synthetic(&SyntheticSpec::tiny("llama"));
    let text = "<|im_start|>user\nthe heart<|im_end|>";
    let ids = s.tokenizer.encode(text).unwrap();
    assert_eq!(s.tokenizer.decode(&ids).unwrap(), text);
    let im_start = s.tokenizer.single_token_id("<|im_start|>").unwrap();
    assert_eq!(ids[0], im_start);
}

#[test]
fn plain_encoding_keeps_special_token_text_as_text() {
    let s = synthetic(&SyntheticSpec::tiny("llama"));
    let im_end = s.tokenizer.single_token_id("<|im_end|>").unwrap();
    let plain = s.tokenizer.encode_plain("a<|im_end|>b").unwrap();
    assert!(!plain.contains(&im_end), "{plain:?}");
    assert_eq!(s.tokenizer.decode(&plain).unwrap(), "a<|im_end|>b");
    assert!(s
        .tokenizer
        .encode("a<|im_end|>b")
        .unwrap()
        .contains(&im_end));
}

/// Bit for bit, not merely close: scores must not depend on the batch size. The prefix makes
/// rows attend to more than 512 keys. (On these small shapes gemm happens not to split its sums
/// by padding; on SmolLM2's it does, which `tests/it/score.rs` catches end to end.)
#[test]
fn a_row_is_bit_identical_alone_and_in_any_batch() {
    for architecture in ["llama", "qwen2"] {
        // Heads of 64 dimensions, as in the real models, so that GEMMs take their real paths.
        let spec = SyntheticSpec {
            n_embd: 256,
            n_head: 4,
            n_head_kv: 2,
            n_ff: 384,
            ..SyntheticSpec::tiny(architecture)
        };
        let s = synthetic(&spec);
        let prefix: Vec<u32> = (0..600).map(|i| (i * 7 % 290) as u32).collect();
        let cache = s.model.prefill(None, &prefix).unwrap();
        let rows = rows();
        let row_refs: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
        let forward = s.model.forward(Some(&cache), &row_refs, false).unwrap();
        let batched: Vec<Vec<f32>> = s.model.logits(&forward.hidden).unwrap().to_vec2().unwrap();
        for (row, batched) in rows.iter().zip(&batched) {
            let forward = s.model.forward(Some(&cache), &[row], false).unwrap();
            let alone: Vec<f32> = s
                .model
                .logits(&forward.hidden)
                .unwrap()
                .squeeze(0)
                .unwrap()
                .to_vec1()
                .unwrap();
            assert_bits_equal(&alone, batched, architecture);
        }
    }
}

type TapValues = Vec<Vec<Vec<f32>>>;

fn tapped(
    model: &Model,
    cache: &KvCache,
    rows: &[Vec<u32>],
    taps: &Taps,
) -> (TapValues, TapValues) {
    let row_refs: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
    let forward = model
        .forward_tapped(Some(cache), &row_refs, false, taps)
        .unwrap();
    let read = |tensors: &[candle_core::Tensor]| -> Vec<Vec<Vec<f32>>> {
        tensors.iter().map(|t| t.to_vec2().unwrap()).collect()
    };
    (read(&forward.layer_last), read(&forward.layer_mean))
}

/// Bit for bit, like the final hidden state, on the shapes of
/// `a_row_is_bit_identical_alone_and_in_any_batch`.
fn check_taps_are_per_row(architecture: &str) {
    let spec = SyntheticSpec {
        n_embd: 256,
        n_head: 4,
        n_head_kv: 2,
        n_ff: 384,
        ..SyntheticSpec::tiny(architecture)
    };
    let s = synthetic(&spec);
    let prefix: Vec<u32> = (0..600).map(|i| (i * 7 % 290) as u32).collect();
    let cache = s.model.prefill(None, &prefix).unwrap();
    let rows = rows();
    // Layers out of depth order and one twice: the results follow the request.
    let layers = vec![1, 0, 1];
    // Two spans a row; an empty one averages to zeros.
    let spans: Vec<Vec<std::ops::Range<usize>>> = vec![
        vec![1..5, 0..7],
        vec![0..0, 0..1],
        vec![0..13, 4..6],
        vec![2..3, 0..0],
    ];
    let taps = Taps {
        layers: layers.clone(),
        spans: spans.clone(),
    };
    let (last, mean) = tapped(&s.model, &cache, &rows, &taps);
    assert_eq!((last.len(), mean.len()), (3, 3));
    assert_bits_equal(&last[0].concat(), &last[2].concat(), "a layer tapped twice");
    assert!(
        max_abs_diff(&last[0][0], &last[1][0]) > 0.0,
        "layers 1 and 0 differ"
    );
    for (row_idx, (row, span)) in rows.iter().zip(&spans).enumerate() {
        let alone = Taps {
            layers: layers.clone(),
            spans: vec![span.clone()],
        };
        let (last_alone, mean_alone) = tapped(&s.model, &cache, std::slice::from_ref(row), &alone);
        for tap in 0..layers.len() {
            let what = format!("{architecture}: row {row_idx}, tap {tap}");
            assert_bits_equal(&last[tap][row_idx], &last_alone[tap][0], &what);
            assert_bits_equal(&mean[tap][row_idx], &mean_alone[tap][0], &what);
        }
        let n_embd = last[0][row_idx].len();
        assert_eq!(mean[0][row_idx].len(), 2 * n_embd);
        for (k, span) in span.iter().enumerate() {
            let part = &mean[0][row_idx][k * n_embd..(k + 1) * n_embd];
            if span.is_empty() {
                assert!(part.iter().all(|&v| v == 0.0));
            } else if span.len() == 1 && span.end == row.len() {
                // A span of the last token alone is that token's state.
                assert!(max_abs_diff(part, &last[0][row_idx]) < 1e-6);
            }
        }
    }
    // The last row's first span, 2..3, is its last token.
    assert_eq!(rows[3].len(), 3);
}

#[test]
fn hidden_state_taps_are_per_row_and_in_request_order() {
    check_taps_are_per_row("llama");
    check_taps_are_per_row("qwen2");
}

#[test]
fn taps_outside_the_model_or_the_row_are_errors() {
    let s = synthetic(&SyntheticSpec::tiny("llama"));
    let n_layer = s.model.config().n_layer;
    let bad_layer = Taps {
        layers: vec![n_layer],
        spans: vec![],
    };
    let err = s
        .model
        .forward_tapped(None, &[&[1, 2, 3]], false, &bad_layer)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("does not exist"), "{err}");
    let bad_span = Taps {
        layers: vec![0],
        spans: vec![vec![2..4]],
    };
    let err = s
        .model
        .forward_tapped(None, &[&[1, 2, 3]], false, &bad_span)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("outside"), "{err}");
}
