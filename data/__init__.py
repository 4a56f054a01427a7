"""Everything about data: sources (MATH, JSONL, the synthetic default), prompts, tokenizers and
batching. The scripts import from here and nowhere else for data."""
from .batching import (bucket_batches, collate, cycling_batches, encode_example,
                       encode_generator_examples, left_pad, length_chunks, n_targets,
                       split_by_length, to_device)
from .prompts import (EOS, EVALUATOR_TAIL, LABEL_WORDS, evaluator_head, evaluator_prompt,
                      generator_prompt, generator_target)
from .sources import (SPLIT_KEYS, DataError, N_FRESH_REAL, load_dataset, load_run_splits,
                      load_splits)
from .world import N_FRESH, N_TEST, N_TRAIN, N_VAL
from .tokenizer import decode, encode, eos_id, label_token_ids, load_tokenizer, train_tokenizer
