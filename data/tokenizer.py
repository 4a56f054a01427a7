"""
Tokenizers: a byte-level BPE trained on the training split for scratch models, or a pretrained
model's own (GPT-2's, a Llama's or a Qwen2's tokenizer.json). All are `tokenizers.Tokenizer`
objects; EOS is <|endoftext|> (ours, GPT-2, Qwen2, SmolLM2) or the family's own (eos_id).

Digits are split into single characters before BPE (as in LLaMA / nanochat): arithmetic on
digit-level tokens is far easier for a small model than on arbitrary multi-digit merges.
"""
import json
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
    """tokenizer.json (a file, or a directory holding one: a Hugging Face model's, whose EOS is
    checked against its config), or GPT-2's vocab.json + merges.txt."""
    if os.path.isdir(path):
        if os.path.isfile(os.path.join(path, "tokenizer.json")):
            tok = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
            check_hf_eos(path, tok)
            return tok
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


# the end-of-text token of each family: ours, GPT-2's, Qwen2's and SmolLM2's; Llama 3's; Llama 2's
EOS_NAMES = (EOS, "<|end_of_text|>", "</s>")


def eos_id(tok):
    """The id that ends a solution (and pads: padding is masked by position, never by id)."""
    for name in EOS_NAMES:
        if tok.token_to_id(name) is not None:
            return tok.token_to_id(name)
    raise ValueError(f"tokenizer has none of the end-of-text tokens {', '.join(EOS_NAMES)}")


def check_hf_eos(directory, tok):
    """A Hugging Face model ends its text with the id its generation_config.json (or else its
    config.json) names as eos_token_id (one id or a list): refuse a tokenizer whose EOS
    (eos_id) is not among them, naming the file, rather than train a model never to stop."""
    for name in ("generation_config.json", "config.json"):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        with open(path) as f:
            want = json.load(f).get("eos_token_id")
        if want is None:
            continue
        want = want if isinstance(want, list) else [want]
        if eos_id(tok) not in want:
            raise ValueError(f"{path}: eos_token_id {want}, but the tokenizer's end-of-text "
                             f"token is id {eos_id(tok)}")
        return


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
