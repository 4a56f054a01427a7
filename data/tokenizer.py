"""
Tokenizers: a byte-level BPE trained on the training split for scratch models, or GPT-2's own
for pretrained ones. Both are `tokenizers.Tokenizer` objects; EOS is <|endoftext|> in both.

Digits are split into single characters before BPE (as in LLaMA / nanochat): arithmetic on
digit-level tokens is far easier for a small model than on arbitrary multi-digit merges.
"""
import os
import warnings

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from .prompts import EOS, LABEL_WORDS, evaluator_prompt


def train_tokenizer(texts, vocab_size=1024):
    """Byte-level BPE on `texts` (an iterable of strings)."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOS],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    # the evaluator's label words must become single tokens: show the template often enough
    labelled = [evaluator_prompt("p", "s") + w for w in LABEL_WORDS] * 200
    tok.train_from_iterator(list(texts) + labelled, trainer=trainer)
    return tok


def load_tokenizer(path):
    """tokenizer.json (a file, or a directory holding one), or GPT-2's vocab.json + merges.txt."""
    if os.path.isdir(path):
        if os.path.isfile(os.path.join(path, "tokenizer.json")):
            path = os.path.join(path, "tokenizer.json")
        elif os.path.isfile(os.path.join(path, "vocab.json")):
            tok = Tokenizer(models.BPE.from_file(os.path.join(path, "vocab.json"),
                                                 os.path.join(path, "merges.txt")))
            tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
            tok.decoder = decoders.ByteLevel()
            return tok
        else:
            raise FileNotFoundError(f"{path}: no tokenizer.json and no vocab.json + merges.txt")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"tokenizer {path} does not exist")
    return Tokenizer.from_file(path)


def encode(tok, text):
    return tok.encode(text, add_special_tokens=False).ids


def decode(tok, ids):
    return tok.decode(list(ids), skip_special_tokens=True)


def eos_id(tok):
    i = tok.token_to_id(EOS)
    if i is None:
        raise ValueError(f"tokenizer has no {EOS} token")
    return i


def label_token_ids(tok):
    """Token ids of ' correct' / ' incorrect'. If either is not a single token, the first token
    of each is scored (they must still differ) and a warning says so."""
    ids = [encode(tok, w) for w in LABEL_WORDS]
    if ids[0][0] == ids[1][0]:
        raise ValueError(f"label words {LABEL_WORDS} start with the same token: cannot score")
    if any(len(i) != 1 for i in ids):
        warnings.warn(f"label words {LABEL_WORDS} are not single tokens ({ids}); scoring the "
                      "first token of each")
    return ids[0][0], ids[1][0]
