"""Where GPT-2 and Gemma 3 differ, each difference in one place that says so.

The labs take a decoder apart (its attention step by step, its residual stream block by block) with
the model's own modules. Two families are taught, and they differ in five places:

                      GPT-2                                   Gemma 3
    positions         a learned table wpe (n_positions, d),   none added: queries and keys are rotated
                      its row t added to the input            inside attention (RoPE)
    embedding scale   none                                    rows multiplied by sqrt(d)
    attention         H heads of d/H, Q K V from one fused    H query heads share H_kv key/value heads
                      Conv1D c_attn (weight stored (in, out),  (grouped-query), separate q/k/v_proj,
                      the transpose of nn.Linear's)            queries and keys RMS-normed per head
    norms             LayerNorm (mean removed, weight + bias) RMSNorm, scaled by (1 + weight); also after
                      before attention and before the MLP     attention and after the MLP
    MLP               c_fc -> GELU -> c_proj                   down(GELU(gate(x)) * up(x)), gated
    unembedding       tied to wte                             tied to embed_tokens (and a final softcap
                                                              only in some Gemma sizes)

`family_of(model)` returns the adapter of the model's family; every lab asks it, never the model's
class. The numbers (layers, heads, widths) are read from the config by gptlab.models.catalog.Architecture. The adapters only call the model's modules and read its weights: nothing is hooked
or changed, so the one instance shared by every user stays as it was loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gptlab.nn.attention import apply_rope, causal_mask, sliding_window_mask

@dataclass(frozen=True)
class Embedded:
    """What enters block 0, and what it is made of."""

    token_rows: torch.Tensor  # (T, d) the embedding table's rows for the ids, as stored
    position_rows: torch.Tensor | None  # (T, d) GPT-2's learned rows wpe[0..T-1]; None where positions rotate
    scale: float  # Gemma multiplies the token rows by sqrt(d); GPT-2 by nothing (1.0)
    x0: torch.Tensor  # (T, d) token_rows * scale (+ position_rows): the residual stream's start


class DecoderFamily:
    """The operations the labs need from a decoder, for one family. Subclasses say how that family does each."""

    family: str = ""
    mlp: str = ""  # "gelu" (GPT-2: up, GELU, down) or "gated" (Gemma: GELU(gate x) * up x, then down)
    lora_targets: tuple[str, ...] = ()  # peft target_modules: every projection of every block
    lora_fan_in_fan_out: bool = False  # the projections store their weight as (in, out) (GPT-2's Conv1D)

    def lora_key(self, path: str) -> str:
        """A projection's name in a saved adapter, from its path inside a block ("self_attn.q_proj")."""
        return path

    def training_tokens(self, tokenizer) -> tuple[int, tuple[int, ...]]:
        """(separator between texts, prefix of every block) for causal-LM training blocks (gptlab.nn.blocks)."""
        raise NotImplementedError

    def token_names(self, tokenizer, ids) -> tuple[str, ...]:
        """Each token as the attention views label it: its vocabulary entry (Gemma's SentencePiece "▁gato")."""
        return tuple(tokenizer.convert_ids_to_tokens([int(i) for i in ids]))

    # --- structure -------------------------------------------------------------------------------------
    def decoder(self, model):
        """The decoder without its output layer."""
        raise NotImplementedError

    def blocks(self, model) -> list:
        raise NotImplementedError

    def unembedding(self, model) -> torch.Tensor:
        """(V, d) the output layer's weight; tied to the input embedding in both families."""
        return model.get_output_embeddings().weight.detach()

    # --- the residual stream -----------------------------------------------------------------------------
    def embed(self, model, ids: torch.Tensor) -> Embedded:
        raise NotImplementedError

    def attention_inputs(self, model, layer: int, x: torch.Tensor, queries: slice = slice(None)):
        """(1, T, d) block input -> q (1, H, T', hd) for the positions `queries` picks (all by default), k and v
        (1, H_kv, T, hd), position already applied."""
        raise NotImplementedError

    def scaling(self, model, layer: int) -> float:
        """The factor Q K^T is multiplied by, as the model's attention holds it."""
        return float(self._attn(model, layer).scaling)

    def sliding_window(self, model, layer: int) -> int | None:
        return None

    def kv_head(self, model, head: int) -> int:
        """The key/value head a query head reads (itself when nothing is shared)."""
        return head // self.query_heads_per_kv_head(model)

    def query_heads_per_kv_head(self, model) -> int:
        return 1

    def attention_adds(self, model, layer: int, x: torch.Tensor, queries: slice = slice(None)) -> torch.Tensor:
        """(1, T, d) -> (1, T', d): what block `layer`'s attention adds to the residual stream at the positions
        `queries` picks (all by default; each still reads the keys and values of every position the mask lets it)."""
        raise NotImplementedError

    def mlp_adds(self, model, layer: int, x: torch.Tensor) -> torch.Tensor:
        """(1, T, d) the stream after the block's attention -> (1, T, d): what its MLP adds."""
        raise NotImplementedError

    def final_norm(self, model, x: torch.Tensor) -> torch.Tensor:
        """(..., d) -> (..., d): the norm before the output layer."""
        raise NotImplementedError

    def mask(self, model, layer: int, T: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """(T, T) additive mask of one block: causal, and for a sliding block also `window` positions back."""
        window = self.sliding_window(model, layer)
        return causal_mask(T, dtype) if window is None else sliding_window_mask(T, window, dtype)

    def _attn(self, model, layer: int):
        raise NotImplementedError


class Gemma3(DecoderFamily):
    """Gemma 3: rotary positions, grouped-query attention with q/k norms, RMSNorm (1 + weight), gated MLP."""

    family = "gemma3"
    mlp = "gated"
    lora_targets = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")

    def lora_key(self, path: str) -> str:
        return path.rsplit(".", 1)[-1]  # each name is used once per block: "q_proj", as the model worker reads it

    def training_tokens(self, tokenizer) -> tuple[int, tuple[int, ...]]:
        return tokenizer.eos_token_id, (tokenizer.bos_token_id,)  # <eos> between texts; Gemma expects <bos> first

    def decoder(self, model):
        return getattr(model, "model", model)  # Gemma3ForCausalLM -> Gemma3TextModel

    def blocks(self, model) -> list:
        return list(self.decoder(model).layers)

    def _attn(self, model, layer: int):
        return self.blocks(model)[layer].self_attn

    def query_heads_per_kv_head(self, model) -> int:
        return self._attn(model, 0).num_key_value_groups  # grouped-query attention: 4 query heads per key head in 270M

    def embed(self, model, ids: torch.Tensor) -> Embedded:
        table = self.decoder(model).embed_tokens
        rows = table.weight[ids]  # (T, d)
        scale = table.embed_scale.to(rows.dtype)  # sqrt(d), in the weights' dtype as the model rounds it
        return Embedded(rows, None, float(table.embed_scale), rows * scale)  # nothing added for position

    def attention_inputs(self, model, layer: int, x: torch.Tensor, queries: slice = slice(None)):
        decoder, block = self.decoder(model), self.blocks(model)[layer]
        attn = block.self_attn
        B, T, _ = x.shape
        h = block.input_layernorm(x)  # (1, T, d) RMSNorm before attention
        hq = h[:, queries]  # (1, T', d) the positions whose queries are asked for
        q = attn.q_proj(hq).view(B, hq.shape[1], -1, attn.head_dim).transpose(1, 2)  # (1, H, T', hd)
        k = attn.k_proj(h).view(B, T, -1, attn.head_dim).transpose(1, 2)  # (1, H_kv, T, hd)
        v = attn.v_proj(h).view(B, T, -1, attn.head_dim).transpose(1, 2)  # (1, H_kv, T, hd)
        q, k = attn.q_norm(q), attn.k_norm(k)  # Gemma 3 normalizes queries and keys per head
        positions = torch.arange(T)[None, :]  # (1, T)
        cos, sin = decoder.rotary_emb(h, positions, model.config.layer_types[layer])  # (1, T, hd) each
        q = apply_rope(q, cos[:, queries], sin[:, queries])  # position enters here, and only here
        return q, apply_rope(k, cos, sin), v

    def scaling(self, model, layer: int) -> float:
        return float(self._attn(model, layer).scaling)  # query_pre_attn_scalar ** -0.5

    def sliding_window(self, model, layer: int) -> int | None:
        return self._attn(model, layer).sliding_window  # None on the full-attention layers

    def attention_adds(self, model, layer: int, x: torch.Tensor, queries: slice = slice(None)) -> torch.Tensor:
        block = self.blocks(model)[layer]
        attn = block.self_attn
        B, T, _ = x.shape
        q, k, v = self.attention_inputs(model, layer, x, queries)  # q: (1, H, T', hd)
        k = k.repeat_interleave(attn.num_key_value_groups, dim=1)  # (1, H, T, hd): heads share K and V
        v = v.repeat_interleave(attn.num_key_value_groups, dim=1)
        mask = self.mask(model, layer, T, q.dtype)[queries]  # (T', T) the picked positions' rows
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=attn.scaling)  # (1, H, T', hd)
        out = attn.o_proj(out.transpose(1, 2).reshape(B, q.shape[2], -1))  # (1, T', d)
        return block.post_attention_layernorm(out)  # Gemma norms what attention adds, too

    def mlp_adds(self, model, layer: int, x: torch.Tensor) -> torch.Tensor:
        block = self.blocks(model)[layer]
        return block.post_feedforward_layernorm(block.mlp(block.pre_feedforward_layernorm(x)))

    def final_norm(self, model, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(model).norm(x)  # RMSNorm


class GPT2(DecoderFamily):
    """GPT-2: a learned position table added to the input, 12 x 64 heads from a fused Conv1D, LayerNorm, GELU MLP."""

    family = "gpt2"
    mlp = "gelu"
    lora_targets = ("c_attn", "c_proj", "c_fc")  # Conv1D layers: c_proj is both attention's output and the MLP's
    lora_fan_in_fan_out = True  # Conv1D: weight (in, out), so peft transposes the update B A

    def training_tokens(self, tokenizer) -> tuple[int, tuple[int, ...]]:
        # GPT-2 has no pad token, so training pads with <|endoftext|>, and the collator hides every pad id from
        # the loss: an <|endoftext|> separator would never be learned. A line break separates the texts instead,
        # and no prefix: GPT-2 was trained without a <bos> in front.
        return tokenizer("\n")["input_ids"][0], ()

    def token_names(self, tokenizer, ids) -> tuple[str, ...]:
        """Byte-level BPE stores a space as "Ġ" (its byte shifted to a printable character): each entry is turned
        back into the text its bytes spell (" cat"), or its bytes in hex when they hold part of a character."""
        from gptlab.nn.tokenization import byte_level_piece_to_bytes

        out = []
        for piece in tokenizer.convert_ids_to_tokens([int(i) for i in ids]):
            try:
                raw = byte_level_piece_to_bytes(piece)
            except KeyError:  # not a byte-level piece (an added special token): as it is
                out.append(piece)
                continue
            out.append(_text_or_bytes(raw))
        return tuple(out)

    def decoder(self, model):
        return getattr(model, "transformer", model)  # GPT2LMHeadModel -> GPT2Model

    def blocks(self, model) -> list:
        return list(self.decoder(model).h)

    def facts(self, config) -> ModelFacts:
        d = config.n_embd
        return ModelFacts(
            family=self.family, n_layers=config.n_layer, n_heads=config.n_head, n_kv_heads=config.n_head,
            head_dim=d // config.n_head, d_model=d, d_ff=config.n_inner or 4 * d, vocab_size=config.vocab_size,
            positions="learned", max_positions=config.n_positions, norm="layernorm", mlp="gelu",
            tied_embeddings=bool(getattr(config, "tie_word_embeddings", True)), sliding_window=None,
            layer_types=("full_attention",) * config.n_layer,
        )

    def _attn(self, model, layer: int):
        return self.blocks(model)[layer].attn

    def embed(self, model, ids: torch.Tensor) -> Embedded:
        decoder = self.decoder(model)
        rows = decoder.wte.weight[ids]  # (T, d)
        positions = decoder.wpe.weight[: ids.shape[0]]  # (T, d) row t of the learned table, for position t
        return Embedded(rows, positions, 1.0, rows + positions)  # position is ADDED to the input, once

    def attention_inputs(self, model, layer: int, x: torch.Tensor, queries: slice = slice(None)):
        block = self.blocks(model)[layer]
        attn = block.attn
        B, T, d = x.shape
        h = block.ln_1(x)  # (1, T, d) LayerNorm before attention
        # Conv1D stores its weight as (in, out), the transpose of nn.Linear's (out, in): y = x W + b.
        qkv = h @ attn.c_attn.weight + attn.c_attn.bias  # (1, T, 3d): Q, K and V from one product
        q, k, v = qkv.split(d, dim=-1)  # (1, T, d) each
        heads = lambda t: t.view(B, T, attn.num_heads, attn.head_dim).transpose(1, 2)  # noqa: E731 (1, H, T, hd)
        return heads(q)[:, :, queries], heads(k), heads(v)  # no rotation: position was added to the input

    def scaling(self, model, layer: int) -> float:
        return float(self._attn(model, layer).scaling)  # head_dim ** -0.5 (divided by layer + 1 if so configured)

    def attention_adds(self, model, layer: int, x: torch.Tensor, queries: slice = slice(None)) -> torch.Tensor:
        attn = self._attn(model, layer)
        B, T, _ = x.shape
        q, k, v = self.attention_inputs(model, layer, x, queries)  # q: (1, H, T', hd)
        mask = self.mask(model, layer, T, q.dtype)[queries]  # (T', T) the picked positions' rows
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=attn.scaling)  # (1, H, T', hd)
        out = out.transpose(1, 2).reshape(B, q.shape[2], -1)  # (1, T', d) the heads side by side
        return out @ attn.c_proj.weight + attn.c_proj.bias  # Conv1D again: (in, out); nothing normed after

    def mlp_adds(self, model, layer: int, x: torch.Tensor) -> torch.Tensor:
        block = self.blocks(model)[layer]
        mlp = block.mlp
        h = block.ln_2(x)  # (1, T, d) LayerNorm before the MLP
        inner = mlp.act(h @ mlp.c_fc.weight + mlp.c_fc.bias)  # (1, T, 4d) GELU, no gate
        return inner @ mlp.c_proj.weight + mlp.c_proj.bias  # (1, T, d)

    def final_norm(self, model, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(model).ln_f(x)  # LayerNorm


def _text_or_bytes(raw: bytes) -> str:
    """b' \xf0\x9f' -> ' ⟨f0⟩⟨9f⟩': the UTF-8 text, and each byte of a character cut between tokens in hex."""
    out = []
    while raw:
        try:
            out.append(raw.decode("utf-8"))
            break
        except UnicodeDecodeError as err:
            out.append(raw[: err.start].decode("utf-8") + "".join(f"⟨{b:02x}⟩" for b in raw[err.start : err.end]))
            raw = raw[err.end :]
    return "".join(out)


_FAMILIES = {"gemma3_text": Gemma3(), "gpt2": GPT2()}  # model_type -> its adapter


def family_of(model_or_config) -> DecoderFamily:
    """The adapter of a model's family (a model or its config); a clear error for a family the labs do not take apart."""
    config = getattr(model_or_config, "config", model_or_config)
    model_type = getattr(config, "model_type", None)
    try:
        return _FAMILIES[model_type]
    except KeyError:
        raise UnsupportedArchitecture(model_type) from None


def supported(model_or_config) -> bool:
    config = getattr(model_or_config, "config", model_or_config)
    return getattr(config, "model_type", None) in _FAMILIES


class UnsupportedArchitecture(ValueError):
    """A causal LM whose blocks the labs do not know how to take apart (only GPT-2 and Gemma 3 are)."""

    def __init__(self, model_type) -> None:
        super().__init__(f"no adapter for model_type {model_type!r}: the labs take apart GPT-2 and Gemma 3")
        self.model_type = model_type
