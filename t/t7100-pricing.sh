#!/bin/sh
test_description='tally pricing: the table, matching, overrides, fallbacks, updates, estimates'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

# cost_of <id>: the estimate and price id of an entry, as JSON.
cost_of() {
	tally log --ndjson >all.ndjson &&
	python3 -c '
import json, sys
for r in map(json.loads, open("all.ndjson")):
    if r["entryId"] == sys.argv[1]:
        print(json.dumps([r.get("estimatedCostUsd"), r.get("priceId")]))
' "$1"
}

test_expect_success 'show: how a model name resolves, and why' '
	tally pricing show claude-sonnet-4-20250514 >out &&
	test_grep "^claude-sonnet-4-20250514: without its version suffix .claude-sonnet-4. matched the built-in price table$" out &&
	test_grep "^anthropic/claude-sonnet-4@2025-05-22  *\$3.00 / \$6.00  *\$15.00 / \$22.50  *\$0.30 / \$0.60  *\$3.75 / \$7.50  *\$6.00 / \$12.00  *200k  *built-in$" out &&
	tally pricing show -p openrouter anthropic/claude-sonnet-4.5 >out &&
	test_grep "without its provider prefix .claude-sonnet-4.5. matched" out &&
	test_grep "^anthropic/claude-sonnet-4-5@2025-09-29 " out &&
	tally pricing show models/gemini-2.5-flash >out &&
	test_grep "^gemini/gemini-2.5-flash@2025-06-17 .*\$0.03 " out &&
	tally pricing show gpt-4.1-2025-04-14 >out &&
	test_grep "^openai/gpt-4.1@2025-04-14 " out
'

test_expect_success 'show --at: the price of that day' '
	tally pricing show o3 --at 2025-05-01 >out &&
	test_grep "^openai/o3@2025-04-16  *\$10.00  *\$40.00" out &&
	tally pricing show o3 >out &&
	test_grep "^openai/o3@2025-06-10  *\$2.00  *\$8.00" out
'

test_expect_success 'show --at before a model has a price: unpriced, and why' '
	test_expect_code 1 tally pricing show openai/o3 --at 2025-04-01 >out &&
	echo "openai/o3: unpriced ('"'"'o3'"'"' has no price before 2025-04-16, the first in the built-in price table)" >expect &&
	test_cmp expect out
'

test_expect_success 'show --json' '
	tally pricing show --json gpt-4.1 >p.json &&
	test "$(json_get p.json "[d[\"priced\"], d[\"price\"][\"priceId\"], d[\"price\"][\"perMillionTokensUsd\"]]")" = \
		"[true, \"openai/gpt-4.1@2025-04-14\", {\"input\": 2, \"output\": 8, \"cacheRead\": 0.5}]" &&
	tally pricing show --json >all.json &&
	test "$(json_get all.json "len(d) > 25")" = True
'

test_expect_success 'pricing alone is pricing show, and says its unit' '
	tally pricing show >want &&
	tally pricing >got &&
	test_cmp want got &&
	test_grep "^USD per million tokens" got &&
	tally pricing --json >got.json &&
	test_cmp all.json got.json &&
	tally pricing show gpt-4.1 >one &&
	test_grep "^USD per million tokens" one &&
	test_expect_code 2 tally pricing bogus 2>err &&
	test_grep "unknown subcommand .bogus." err
'

test_expect_success 'an unknown model is unpriced: exit 1, and no estimate at record' '
	test_expect_code 1 tally pricing show my-finetune >out &&
	test_grep "^my-finetune: unpriced (no price table knows .my-finetune." out &&
	id=$(tally record -p openai -m my-finetune --input-tokens 1000 --output-tokens 10) &&
	test "$(cost_of $id)" = "[null, null]" &&
	tally summary --json >s.json &&
	test "$(json_get s.json "[d[\"unpricedCount\"], d[\"costUsd\"]]")" = "[1, null]"
'

test_expect_success 'record stores the estimate and the price id' '
	id=$(tally record -p openai -m gpt-4.1 --input-tokens 1000000 --output-tokens 1000000 \
		--cache-read-tokens 500000) &&
	test "$(cost_of $id)" = "[9.25, \"openai/gpt-4.1@2025-04-14\"]"
'

test_expect_success 'prices above 200k input tokens apply to the whole request' '
	id=$(tally record -p anthropic -m claude-sonnet-4-20250514 --input-tokens 200000 --output-tokens 1000) &&
	test "$(cost_of $id)" = "[0.615, \"anthropic/claude-sonnet-4@2025-05-22\"]" &&
	id=$(tally record -p anthropic -m claude-sonnet-4-20250514 --input-tokens 200001 --output-tokens 1000) &&
	test "$(cost_of $id)" = "[1.222506, \"anthropic/claude-sonnet-4@2025-05-22\"]"
'

test_expect_success 'a usage is priced with the price of its own day' '
	id=$(tally record -p openai -m o3 --input-tokens 1000000 --started-at 2025-05-01T12:00:00Z) &&
	test "$(cost_of $id)" = "[10, \"openai/o3@2025-04-16\"]" &&
	id=$(tally record -p openai -m o3 --input-tokens 1000000 --started-at 2025-07-01T12:00:00Z) &&
	test "$(cost_of $id)" = "[2, \"openai/o3@2025-06-10\"]"
'

# price_at <provider> <model> <when> <in> <out>: the estimate and price id
# of such a usage.
price_at() {
	id=$(tally record -p "$1" -m "$2" --started-at "$3" --input-tokens "$4" \
		--output-tokens "$5") &&
	cost_of "$id"
}

test_expect_success 'current models are priced (as Pydantic genai-prices 0.1.8 lists them)' '
	test "$(price_at anthropic claude-sonnet-4-6 2026-11-01T12:00:00Z 1000000 1000000)" = "[18, \"anthropic/claude-sonnet-4-6@2026-03-13\"]" &&
	test "$(price_at anthropic claude-opus-4-6 2026-11-01T12:00:00Z 1000000 1000000)" = "[30, \"anthropic/claude-opus-4-6@2026-03-13\"]" &&
	test "$(price_at anthropic claude-opus-4-7 2026-11-01T12:00:00Z 1000000 1000000)" = "[30, \"anthropic/claude-opus-4-7@2026-02-05\"]" &&
	test "$(price_at openai gpt-5.2 2026-11-01T12:00:00Z 1000000 1000000)" = "[15.75, \"openai/gpt-5.2@2025-12-11\"]" &&
	test "$(price_at openai gpt-5.4 2026-11-01T12:00:00Z 100000 100000)" = "[1.75, \"openai/gpt-5.4@2025-12-11\"]" &&
	test "$(price_at gemini gemini-3-pro-preview 2026-11-01T12:00:00Z 100000 100000)" = "[1.4, \"gemini/gemini-3-pro-preview@2025-11-18\"]" &&
	test "$(price_at gemini gemini-3-flash-preview 2026-11-01T12:00:00Z 1000000 1000000)" = "[3.5, \"gemini/gemini-3-flash-preview@2025-11-18\"]"
'

test_expect_success 'long-context tiers start where each model says: 200k, 272k' '
	test "$(price_at openai gpt-5.4 2026-11-01T12:00:00Z 272000 0)" = "[0.68, \"openai/gpt-5.4@2025-12-11\"]" &&
	test "$(price_at openai gpt-5.4 2026-11-01T12:00:00Z 272001 0)" = "[1.360005, \"openai/gpt-5.4@2025-12-11\"]" &&
	test "$(price_at anthropic claude-sonnet-4-6 2026-02-20T12:00:00Z 200001 0)" = "[1.200006, \"anthropic/claude-sonnet-4-6@2026-02-05\"]" &&
	test "$(price_at anthropic claude-sonnet-4-6 2026-03-20T12:00:00Z 200001 0)" = "[0.600003, \"anthropic/claude-sonnet-4-6@2026-03-13\"]" &&
	tally pricing show gpt-5.4 >out &&
	test_grep "272k  *built-in" out &&
	tally pricing show --json gpt-5.4 >p.json &&
	test "$(json_get p.json "d[\"price\"][\"tier\"][\"aboveInputTokens\"]")" = 272000
'

test_expect_success 'gpt-4o: the alias, its dated snapshots and chatgpt-4o-latest each at their price' '
	test "$(price_at openai gpt-4o 2024-06-01T12:00:00Z 1000000 1000000)" = "[20, \"openai/gpt-4o@2024-05-13\"]" &&
	test "$(price_at openai gpt-4o 2024-11-01T12:00:00Z 1000000 1000000)" = "[12.5, \"openai/gpt-4o@2024-10-02\"]" &&
	test "$(price_at openai gpt-4o-2024-08-06 2024-08-20T12:00:00Z 1000000 1000000)" = "[12.5, \"openai/gpt-4o-2024-08-06@2024-08-06\"]" &&
	test "$(price_at openai gpt-4o-2024-05-13 2025-06-01T12:00:00Z 1000000 1000000)" = "[20, \"openai/gpt-4o-2024-05-13@2024-05-13\"]" &&
	test "$(price_at openai gpt-4o-2024-11-20 2025-06-01T12:00:00Z 1000000 1000000)" = "[12.5, \"openai/gpt-4o@2024-10-02\"]" &&
	test "$(price_at openai chatgpt-4o-latest 2025-06-01T12:00:00Z 1000000 1000000)" = "[20, \"openai/chatgpt-4o-latest@2024-08-13\"]"
'

test_expect_success 'the earlier GPT families: each snapshot at its price, none taken for another' '
	test "$(price_at openai gpt-3.5-turbo-0125 2025-05-20T12:00:00Z 1000000 1000000)" = "[2, \"openai/gpt-3.5-turbo@2024-01-25\"]" &&
	test "$(price_at openai gpt-3.5-turbo 2025-05-20T12:00:00Z 1000000 1000000)" = "[2, \"openai/gpt-3.5-turbo@2024-01-25\"]" &&
	test "$(price_at openai gpt-3.5-turbo-1106 2024-03-01T12:00:00Z 1000000 1000000)" = "[3, \"openai/gpt-3.5-turbo-1106@2023-11-06\"]" &&
	test "$(price_at openai gpt-3.5-turbo-16k-0613 2024-03-01T12:00:00Z 1000000 1000000)" = "[7, \"openai/gpt-3.5-turbo-16k@2023-06-13\"]" &&
	test "$(price_at openai gpt-4-0613 2024-03-01T12:00:00Z 1000000 1000000)" = "[90, \"openai/gpt-4@2023-03-14\"]" &&
	test "$(price_at openai gpt-4-turbo-2024-04-09 2024-05-01T12:00:00Z 1000000 1000000)" = "[40, \"openai/gpt-4-turbo@2023-11-06\"]" &&
	test "$(price_at openai gpt-4-1106-preview 2024-01-01T12:00:00Z 1000000 1000000)" = "[40, \"openai/gpt-4-turbo@2023-11-06\"]" &&
	test "$(price_at openai gpt-4o-2024-11-20 2025-06-01T12:00:00Z 1000000 1000000)" = "[12.5, \"openai/gpt-4o@2024-10-02\"]" &&
	test_expect_code 1 tally pricing show --at 2023-12-01 gpt-3.5-turbo >out &&
	test_grep "unpriced" out
'

test_expect_success 'Gemini 2.5 cache reads at a tenth of the input price' '
	id=$(tally record -p gemini -m gemini-2.5-flash --input-tokens 1000000 \
		--cache-read-tokens 1000000 --started-at 2026-11-01T12:00:00Z) &&
	test "$(cost_of $id)" = "[0.03, \"gemini/gemini-2.5-flash@2025-06-17\"]" &&
	id=$(tally record -p gemini -m gemini-2.5-pro --input-tokens 1000000 \
		--cache-read-tokens 1000000 --started-at 2026-11-01T12:00:00Z) &&
	test "$(cost_of $id)" = "[0.25, \"gemini/gemini-2.5-pro@2025-06-17\"]" &&
	id=$(tally record -p gemini -m gemini-2.5-flash-lite --input-tokens 1000000 \
		--cache-read-tokens 1000000 --started-at 2026-11-01T12:00:00Z) &&
	test "$(cost_of $id)" = "[0.01, \"gemini/gemini-2.5-flash-lite@2025-07-22\"]"
'

test_expect_success 'a new model version never takes an older family price' '
	test "$(price_at anthropic claude-opus-4-5-20251101 2026-01-01T12:00:00Z 1000000 0)" = "[5, \"anthropic/claude-opus-4-5@2025-11-24\"]" &&
	test_expect_code 1 tally pricing show claude-opus-4-9 >out &&
	test_grep "unpriced" out &&
	id=$(tally record -p anthropic -m claude-opus-4-9 --input-tokens 10) &&
	test "$(cost_of $id)" = "[null, null]"
'

test_expect_success 'Bedrock and Vertex ids are priced as their model' '
	for m in us.anthropic.claude-sonnet-4-20250514-v1:0 \
		anthropic.claude-sonnet-4-20250514-v1:0 \
		global.anthropic.claude-sonnet-4-20250514-v1:0 \
		claude-sonnet-4@20250514; do
		tally pricing show --at 2026-01-01 "$m" >out || return 1
		test_grep "anthropic/claude-sonnet-4@2025-05-22" out || return 1
	done &&
	tally pricing show --at 2026-11-01 eu.anthropic.claude-opus-4-6-v1 >out &&
	test_grep "anthropic/claude-opus-4-6@2026-03-13" out
'

test_expect_success 'a stored $0 estimate beside tokens is unpriced, never free' '
	export TALLY_HOME=$PWD/zero &&
	tally record -q -p openai -m some-model --input-tokens 1000 --estimated-cost 0 &&
	tally record -q -p openai -m some-model --input-tokens 0 --estimated-cost 0 &&
	tally summary --window workspace --json >s.json &&
	test "$(json_get s.json "d[\"unpricedCount\"]")" = 1 &&
	tally log --porcelain | cut -f9 | sort >kinds &&
	printf "estimated\nunpriced\n" >expect &&
	test_cmp expect kinds
'

test_expect_success 'a given estimate is kept; an update is priced again' '
	id=$(tally record -p openai -m gpt-4.1 --input-tokens 100 --estimated-cost 0.5) &&
	test "$(cost_of $id)" = "[0.5, null]" &&
	id=$(tally record -p openai -m gpt-4.1 --status in_progress) &&
	test "$(cost_of $id)" = "[null, null]" &&
	id=$(tally record --entry $id --status completed --input-tokens 1000000) &&
	test "$(cost_of $id)" = "[2, \"openai/gpt-4.1@2025-04-14\"]" &&
	id=$(tally record --entry $id --output-tokens 1000000) &&
	test "$(cost_of $id)" = "[10, \"openai/gpt-4.1@2025-04-14\"]"
'

cat >overrides.yaml <<'EOF'
pricing:
  models:
    - model: "acme-*"
      provider: openrouter
      input: 1
      output: 2
    - model: gpt-4.1
      input: 1.5
      output: 6
  fallback:
    ollama:
      input: 0.0001
      output: 0.0002
EOF

test_expect_success 'overrides in the configuration come first' '
	TALLY_CONFIG=$PWD/overrides.yaml tally pricing show gpt-4.1 >out &&
	test_grep "matched pricing.models in the configuration" out &&
	id=$(TALLY_CONFIG=$PWD/overrides.yaml tally record -p openai -m gpt-4.1 --input-tokens 1000000) &&
	test "$(cost_of $id)" = "[1.5, \"config:gpt-4.1\"]" &&
	id=$(TALLY_CONFIG=$PWD/overrides.yaml tally record -p openrouter -m acme-7b --output-tokens 1000000 --input-tokens 0) &&
	test "$(cost_of $id)" = "[2, \"config:acme-*\"]" &&
	id=$(TALLY_CONFIG=$PWD/overrides.yaml tally record -p openai -m acme-7b --input-tokens 10) &&
	test "$(cost_of $id)" = "[null, null]"
'

test_expect_success 'a fallback applies only where set, and says so' '
	id=$(TALLY_CONFIG=$PWD/overrides.yaml tally record -p ollama -m llama3 --input-tokens 1000 --output-tokens 1000) &&
	test "$(cost_of $id)" = "[0.0003, \"fallback:ollama\"]" &&
	TALLY_CONFIG=$PWD/overrides.yaml tally pricing show -p ollama llama3 >out &&
	test_grep "the fallback of provider ollama" out &&
	test_grep "fallback:ollama" out &&
	id=$(tally record -p ollama -m llama3 --input-tokens 1000) &&
	test "$(cost_of $id)" = "[null, null]"
'

test_expect_success 'bad pricing settings: exit 3' '
	printf "pricing:\n  models:\n    - model: x\n      input: 1\n" >bad.yaml &&
	test_expect_code 3 env TALLY_CONFIG=$PWD/bad.yaml tally pricing show x 2>err &&
	test_grep "pricing.models.0 (x): input and output prices are required" err &&
	printf "pricing:\n  fallback:\n    openai:\n      input: cheap\n" >bad2.yaml &&
	test_expect_code 3 env TALLY_CONFIG=$PWD/bad2.yaml tally pricing show x 2>err &&
	test_grep "pricing.fallback.openai.input" err
'

cat >litellm.json <<'EOF'
{
  "sample_spec": {"max_tokens": "LEGACY parameter", "input_cost_per_token": 0.0, "output_cost_per_token": 0.0, "litellm_provider": "one of https://docs.litellm.ai/docs/providers", "mode": "one of: chat, embedding"},
  "claude-sonnet-4-5": {"cache_creation_input_token_cost": 3.75e-06, "cache_creation_input_token_cost_above_1hr": 6e-06,
    "cache_read_input_token_cost": 3e-07, "input_cost_per_token": 3e-06, "input_cost_per_token_above_200k_tokens": 6e-06,
    "output_cost_per_token": 1.5e-05, "output_cost_per_token_above_200k_tokens": 2.25e-05,
    "cache_creation_input_token_cost_above_200k_tokens": 7.5e-06, "cache_read_input_token_cost_above_200k_tokens": 6e-07,
    "litellm_provider": "anthropic", "max_input_tokens": 200000, "max_output_tokens": 64000, "max_tokens": 64000, "mode": "chat"},
  "brand-new-model": {"input_cost_per_token": 1e-06, "output_cost_per_token": 4e-06, "litellm_provider": "openai", "mode": "chat"},
  "tiny-model": {"input_cost_per_token": 3.75e-10, "output_cost_per_token": 1e-9, "litellm_provider": "openai", "mode": "chat"},
  "text-embedding-3-small": {"input_cost_per_token": 2e-08, "output_cost_per_token": 0.0, "litellm_provider": "openai", "mode": "embedding"},
  "no-prices": {"litellm_provider": "openai", "mode": "chat"}
}
EOF

test_expect_success 'update --from a file: the LiteLLM format, chat models with prices' '
	tally pricing update --from litellm.json >out &&
	test_grep "^3 prices from litellm.json saved to $HOME/.cache/tally/prices.tsv$" out &&
	tally pricing show brand-new-model >out &&
	test_grep "matched the fetched price table" out &&
	test_grep "^fetched:brand-new-model@2026-11-24  *\$1.00  *\$4.00" out &&
	tally pricing show --json tiny-model >t.json &&
	test "$(json_get t.json "d[\"price\"][\"perMillionTokensUsd\"]")" = "{\"input\": 0.000375, \"output\": 0.001}" &&
	test_expect_code 1 tally pricing show text-embedding-3-small
'

test_expect_success 'fetched prices apply from their day; older usage keeps its own' '
	tally pricing show claude-sonnet-4-5 >out &&
	test_grep "^fetched:claude-sonnet-4-5@2026-11-24 " out &&
	tally pricing show claude-sonnet-4-5 --at 2026-01-01 >out &&
	test_grep "^anthropic/claude-sonnet-4-5@2025-09-29 " out &&
	id=$(tally record -p openai -m brand-new-model --input-tokens 1000000 --started-at 2026-01-01T00:00:00Z) &&
	test "$(cost_of $id)" = "[1, \"fetched:brand-new-model@2026-11-24\"]"
'

test_expect_success 'update --from a loopback server' '
	python3 -c "
import json
doc = json.load(open(\"litellm.json\"))
json.dump({\"routes\": [{\"path\": \"/prices.json\", \"replies\": [{\"status\": 200, \"body\": doc}]},
                        {\"path\": \"/broken\", \"replies\": [{\"status\": 200, \"raw\": \"<html>\"}]},
                        {\"path\": \"/gone\", \"replies\": [{\"status\": 404, \"raw\": \"no\"}]}]},
          open(\"server.json\", \"w\"))
" &&
	fake_provider_start server.json &&
	XDG_CACHE_HOME=$PWD/xdg tally pricing update --from $FAKE_URL/prices.json >out &&
	test_grep "^3 prices from $FAKE_URL/prices.json saved to $PWD/xdg/tally/prices.tsv$" out &&
	test_expect_code 1 tally pricing update --from $FAKE_URL/broken 2>err &&
	test_grep "not a LiteLLM price table" err &&
	test_expect_code 4 tally -c http_max_retries=0 pricing update --from $FAKE_URL/gone 2>err &&
	test_grep "cannot fetch $FAKE_URL/gone: HTTP 404" err &&
	fake_provider_stop
'

test_expect_success 'a failed update keeps the table there was' '
	cp "$HOME/.cache/tally/prices.tsv" kept &&
	echo "[1, 2]" >notatable.json &&
	test_expect_code 1 tally pricing update --from notatable.json 2>err &&
	test_grep "not a LiteLLM price table" err &&
	test_cmp kept "$HOME/.cache/tally/prices.tsv" &&
	test_expect_code 1 tally pricing update --from nowhere.json 2>err &&
	test_grep "cannot read .nowhere.json." err &&
	test_expect_code 2 tally pricing update --from ftp://example.com/x 2>err &&
	test_expect_code 2 tally pricing update --from http://example.com/x 2>err &&
	test_grep "not an http(s) URL\|loopback" err &&
	test_cmp kept "$HOME/.cache/tally/prices.tsv"
'

test_expect_success 'a damaged fetched table is warned about and left out' '
	printf "# tally prices 1\tfetched=1795521600000\tfrom=x\nbroken row\n" >"$HOME/.cache/tally/prices.tsv" &&
	tally pricing show gpt-4.1 >out 2>err &&
	test_grep "prices.tsv:2: not a price row" err &&
	test_grep "built-in" out &&
	echo garbage >"$HOME/.cache/tally/prices.tsv" &&
	tally pricing show gpt-4.1 >out 2>err &&
	test_grep "is not a tally price table" err
'

cat >litellm2.json <<'EOF'
{
  "claude-sonnet-4-5": {"cache_creation_input_token_cost": 3.75e-06, "cache_creation_input_token_cost_above_1hr": 6e-06,
    "cache_read_input_token_cost": 3e-07, "input_cost_per_token": 3e-06, "input_cost_per_token_above_200k_tokens": 6e-06,
    "output_cost_per_token": 1.5e-05, "output_cost_per_token_above_200k_tokens": 2.25e-05,
    "cache_creation_input_token_cost_above_200k_tokens": 7.5e-06, "cache_read_input_token_cost_above_200k_tokens": 6e-07,
    "litellm_provider": "anthropic", "mode": "chat"},
  "brand-new-model": {"input_cost_per_token": 2e-06, "output_cost_per_token": 4e-06, "litellm_provider": "openai", "mode": "chat"},
  "gpt-long": {"input_cost_per_token": 2.5e-06, "input_cost_per_token_above_272k_tokens": 5e-06,
    "output_cost_per_token": 1.5e-05, "output_cost_per_token_above_272k_tokens": 2.25e-05,
    "litellm_provider": "openai", "mode": "chat"}
}
EOF

test_expect_success 'update with no --from fetches the configured URL (LiteLLM by default) and says what changed' '
	tally config get pricing.update_url >url &&
	echo "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json" >expect &&
	test_cmp expect url &&
	python3 -c "
import json
doc = json.load(open(\"litellm2.json\"))
json.dump({\"routes\": [{\"path\": \"/model_prices.json\", \"replies\": [{\"status\": 200, \"body\": doc}]}]},
          open(\"server2.json\", \"w\"))
" &&
	fake_provider_start server2.json &&
	export XDG_CACHE_HOME=$PWD/xdg2 &&
	tally pricing update --from litellm.json >/dev/null &&
	tally -c pricing.update_url=$FAKE_URL/model_prices.json pricing update >out &&
	test_grep "^3 prices from $FAKE_URL/model_prices.json saved" out &&
	test_grep "^1 new, 1 changed, 1 no longer listed, 1 as before$" out &&
	test_grep "^  changed: brand-new-model$" out &&
	fake_provider_stop
'

test_expect_success 'a fetched tier above 272k tokens is kept as such' '
	export XDG_CACHE_HOME=$PWD/xdg2 &&
	tally pricing show --json gpt-long >t.json &&
	test "$(json_get t.json "d[\"price\"][\"tier\"][\"aboveInputTokens\"]")" = 272000 &&
	id=$(tally record -p openai -m gpt-long --input-tokens 272001 --output-tokens 0) &&
	test "$(cost_of $id)" = "[1.360005, \"fetched:gpt-long@2026-11-24\"]"
'

test_expect_success 'check lists the models of the ledger that have no price' '
	export TALLY_HOME=$PWD/check &&
	tally pricing check >out &&
	test_grep "every model in the ledger has a price" out &&
	tally record -q -p openai -m gpt-4.1 --input-tokens 10 &&
	tally record -q -p openrouter -m acme-7b --input-tokens 100 --output-tokens 5 &&
	tally record -q -p openrouter -m acme-7b --input-tokens 200 --output-tokens 5 &&
	test_expect_code 1 tally pricing check >out &&
	test_grep "^openrouter  *acme-7b  *2  *300  *10  *none$" out &&
	test_grep -v gpt-4.1 out &&
	test_expect_code 1 tally pricing check --json >c.json &&
	test "$(json_get c.json "[(x[\"modelId\"], x[\"requests\"], x[\"inputTokens\"], x[\"pricedNowBy\"]) for x in d]")" = "[[\"acme-7b\", 2, 300, null]]" &&
	TALLY_CONFIG=$PWD/overrides.yaml test_expect_code 1 tally pricing check >out &&
	test_grep "config:acme-\*" out
'

test_expect_success 'check says when audio tokens are why usage is unpriced' '
	export TALLY_HOME=$PWD/check-audio &&
	tally record -q --response "$FIXTURES/third-party/openai-chat-audio.json" &&
	cat >audio.json <<-\EOF &&
	{"id": "chatcmpl-a1", "object": "chat.completion", "model": "gpt-4o-audio-preview",
	 "usage": {"prompt_tokens": 7, "completion_tokens": 5, "total_tokens": 12,
	  "completion_tokens_details": {"audio_tokens": 3}}}
	EOF
	tally record -q --response audio.json &&
	tally record -q -p openai -m gpt-4o-audio-preview --input-tokens 7 &&
	test_expect_code 1 tally pricing check >out &&
	test_grep "^gpt-audio: audio tokens in 1 request(s) of 1; tally has no audio prices" out &&
	test_grep "^gpt-4o-audio-preview: audio tokens in 1 request(s) of 2;" out &&
	test_expect_code 1 tally pricing check --json >c.json &&
	test "$(json_get c.json "[(x[\"modelId\"], x[\"requests\"], x[\"audioRequests\"], x[\"why\"][:20]) for x in d]")" = \
		"[[\"gpt-audio\", 1, 1, \"its requests carry a\"], [\"gpt-4o-audio-preview\", 2, 1, \"no price table knows\"]]"
'

test_expect_success 'usage errors' '
	test_expect_code 2 tally pricing list 2>err &&
	test_grep "unknown subcommand .list." err &&
	test_expect_code 2 tally pricing update --json 2>err &&
	test_grep "update takes --from only" err &&
	test_expect_code 2 tally pricing check extra 2>err &&
	test_grep "check takes --json only" err &&
	test_expect_code 2 tally pricing show --from x 2>err &&
	test_expect_code 2 tally pricing show --at never gpt-4.1 2>err &&
	test_grep "^tally: --at: invalid time" err
'

test_done
