/*
 * The built-in price table: list prices in USD per million tokens for
 * standard (not batch, not priority) use, as the providers publish them.
 * This file is data; lib/pricing.c reads it.
 *
 * Columns: provider, model, since (the first day the price applied),
 * extra name patterns (space-separated globs, besides the model name
 * itself, date-suffixed names and provider-prefixed names, which always
 * match), then input, output, cache read, cache write (5 minutes), cache
 * write (1 hour); then the long-context tier: the input tokens per
 * request it starts above (200,000 for most, 272,000 for gpt-5.4) and
 * the same five prices, or NULL where the price has no such tier. "" is
 * unknown.
 *
 * The rows were checked against Pydantic's genai-prices (npm package
 * @pydantic/genai-prices 0.1.8), which cites the providers' pricing
 * pages. A model's first `since` is no later than its release (earlier is
 * harmless: no usage precedes it). `tally pricing update` adds LiteLLM's
 * current table on top of these.
 *
 * A price change is a new row with a later `since`; the old row stays,
 * so usage is priced with the price of its own day. Each row's id is
 * "<provider>/<model>@<since>".
 */
#include "pricing.h"

const struct builtin_price builtin_prices[] = {
	/* Anthropic: cache writes 1.25x (5 min) and 2x (1 h) input, reads 0.1x. */
	/*
	 * Opus and Sonnet 4.6 billed requests above 200k input tokens at the
	 * long-context rates until 2026-03-13, when the 1M window became
	 * generally available at the standard rates.
	 */
	{ "anthropic", "claude-opus-5", "2026-03-14", "claude-opus-5.0*",
	  { "5", "25", "0.50", "6.25", "10" }, NULL },
	{ "anthropic", "claude-sonnet-5", "2026-03-14", "claude-sonnet-5.0*",
	  { "2", "10", "0.20", "2.50", "4" }, NULL },
	{ "anthropic", "claude-opus-4-8", "2026-03-14", "claude-opus-4.8*",
	  { "5", "25", "0.50", "6.25", "10" }, NULL },
	{ "anthropic", "claude-opus-4-7", "2026-02-05", "claude-opus-4.7*",
	  { "5", "25", "0.50", "6.25", "10" }, NULL },
	{ "anthropic", "claude-opus-4-6", "2026-02-05", "claude-opus-4.6*",
	  { "5", "25", "0.50", "6.25", "10" },
	  &(const struct builtin_tier){ 200000, { "10", "37.50", "1", "12.50",
		  "20" } } },
	{ "anthropic", "claude-opus-4-6", "2026-03-13", "claude-opus-4.6*",
	  { "5", "25", "0.50", "6.25", "10" }, NULL },
	{ "anthropic", "claude-sonnet-4-6", "2026-02-05", "claude-sonnet-4.6*",
	  { "3", "15", "0.30", "3.75", "6" },
	  &(const struct builtin_tier){ 200000, { "6", "22.50", "0.60", "7.50",
		  "12" } } },
	{ "anthropic", "claude-sonnet-4-6", "2026-03-13", "claude-sonnet-4.6*",
	  { "3", "15", "0.30", "3.75", "6" }, NULL },
	{ "anthropic", "claude-opus-4-5", "2025-11-24", "claude-opus-4.5*",
	  { "5", "25", "0.50", "6.25", "10" }, NULL },
	{ "anthropic", "claude-opus-4-1", "2025-08-05", "claude-opus-4.1*",
	  { "15", "75", "1.50", "18.75", "30" }, NULL },
	{ "anthropic", "claude-opus-4", "2025-05-22", "claude-4-opus*",
	  { "15", "75", "1.50", "18.75", "30" }, NULL },
	{ "anthropic", "claude-sonnet-4-5", "2025-09-29", "claude-sonnet-4.5*",
	  { "3", "15", "0.30", "3.75", "6" },
	  &(const struct builtin_tier){ 200000, { "6", "22.50", "0.60", "7.50", "12" } } },
	{ "anthropic", "claude-sonnet-4", "2025-05-22", "claude-4-sonnet*",
	  { "3", "15", "0.30", "3.75", "6" },
	  &(const struct builtin_tier){ 200000, { "6", "22.50", "0.60", "7.50", "12" } } },
	{ "anthropic", "claude-3-7-sonnet", "2025-02-24", "claude-3.7-sonnet*",
	  { "3", "15", "0.30", "3.75", "6" }, NULL },
	{ "anthropic", "claude-3-5-sonnet", "2024-06-20", "claude-3.5-sonnet*",
	  { "3", "15", "0.30", "3.75", "6" }, NULL },
	{ "anthropic", "claude-haiku-4-5", "2025-10-15", "claude-haiku-4.5*",
	  { "1", "5", "0.10", "1.25", "2" }, NULL },
	{ "anthropic", "claude-3-5-haiku", "2024-11-04", "claude-3.5-haiku*",
	  { "0.80", "4", "0.08", "1", "1.60" }, NULL },
	{ "anthropic", "claude-3-haiku", "2024-03-13", NULL,
	  { "0.25", "1.25", "0.03", "0.30", "0.50" }, NULL },
	{ "anthropic", "claude-3-opus", "2024-02-29", NULL,
	  { "15", "75", "1.50", "18.75", "30" }, NULL },

	/* OpenAI: cached input is the cache-read price; no cache writes. */
	{ "openai", "gpt-5.4", "2025-12-11", NULL,
	  { "2.50", "15", "0.25", "", "" },
	  &(const struct builtin_tier){ 272000, { "5", "22.50", "0.50", "",
		  "" } } },
	{ "openai", "gpt-5.4-mini", "2025-12-11", NULL,
	  { "0.75", "4.50", "0.075", "", "" }, NULL },
	{ "openai", "gpt-5.4-nano", "2025-12-11", NULL,
	  { "0.20", "1.25", "0.02", "", "" }, NULL },
	{ "openai", "gpt-5.2", "2025-12-11", "gpt-5.2-chat* gpt-5.2-codex",
	  { "1.75", "14", "0.175", "", "" }, NULL },
	{ "openai", "gpt-5.1", "2025-11-13",
	  "gpt-5.1-chat* gpt-5.1-codex gpt-5.1-codex-max",
	  { "1.25", "10", "0.125", "", "" }, NULL },
	{ "openai", "gpt-5", "2025-08-07", "gpt-5-chat* gpt-5-codex",
	  { "1.25", "10", "0.125", "", "" }, NULL },
	{ "openai", "gpt-5-mini", "2025-08-07", NULL,
	  { "0.25", "2", "0.025", "", "" }, NULL },
	{ "openai", "gpt-5-nano", "2025-08-07", NULL,
	  { "0.05", "0.40", "0.005", "", "" }, NULL },
	{ "openai", "gpt-4.1", "2025-04-14", NULL,
	  { "2", "8", "0.50", "", "" }, NULL },
	{ "openai", "gpt-4.1-mini", "2025-04-14", NULL,
	  { "0.40", "1.60", "0.10", "", "" }, NULL },
	{ "openai", "gpt-4.1-nano", "2025-04-14", NULL,
	  { "0.10", "0.40", "0.025", "", "" }, NULL },
	/*
	 * gpt-4o: the alias named the 2024-05-13 snapshot (5/15) until it
	 * moved to 2024-08-06 (2.50/10) on 2024-10-02; each dated snapshot
	 * keeps its own price. chatgpt-4o-latest is priced on its own.
	 */
	{ "openai", "gpt-4o", "2024-05-13", NULL,
	  { "5", "15", "", "", "" }, NULL },
	{ "openai", "gpt-4o", "2024-10-02", NULL,
	  { "2.50", "10", "1.25", "", "" }, NULL },
	{ "openai", "gpt-4o-2024-05-13", "2024-05-13", NULL,
	  { "5", "15", "", "", "" }, NULL },
	{ "openai", "gpt-4o-2024-08-06", "2024-08-06", NULL,
	  { "2.50", "10", "1.25", "", "" }, NULL },
	{ "openai", "chatgpt-4o-latest", "2024-08-13", NULL,
	  { "5", "15", "", "", "" }, NULL },
	{ "openai", "gpt-4o-mini", "2024-07-18", NULL,
	  { "0.15", "0.60", "0.075", "", "" }, NULL },
	{ "openai", "o3", "2025-04-16", NULL,
	  { "10", "40", "2.50", "", "" }, NULL },
	{ "openai", "o3", "2025-06-10", NULL,
	  { "2", "8", "0.50", "", "" }, NULL },
	{ "openai", "o4-mini", "2025-04-16", NULL,
	  { "1.10", "4.40", "0.275", "", "" }, NULL },
	{ "openai", "o3-mini", "2025-01-31", NULL,
	  { "1.10", "4.40", "0.55", "", "" }, NULL },
	{ "openai", "o1", "2024-12-17", NULL,
	  { "15", "60", "7.50", "", "" }, NULL },
	/*
	 * The earlier families, still answered and still in recorded sessions.
	 * Their snapshots are named by month and day ("-0125"), which is no
	 * version suffix here, so each is listed with the row that prices it.
	 * gpt-3.5-turbo named the 0125 snapshot from 2024-02-16; before, it
	 * named others at other prices, so it is unpriced before the 0125.
	 */
	{ "openai", "gpt-4-turbo", "2023-11-06",
	  "gpt-4-turbo-preview gpt-4-0125-preview gpt-4-1106-preview",
	  { "10", "30", "", "", "" }, NULL },
	{ "openai", "gpt-4", "2023-03-14", "gpt-4-0314 gpt-4-0613",
	  { "30", "60", "", "", "" }, NULL },
	{ "openai", "gpt-4-32k", "2023-03-14", "gpt-4-32k-0314 gpt-4-32k-0613",
	  { "60", "120", "", "", "" }, NULL },
	{ "openai", "gpt-3.5-turbo", "2024-01-25",
	  "gpt-3.5-turbo-0125 gpt-35-turbo gpt-35-turbo-0125",
	  { "0.50", "1.50", "", "", "" }, NULL },
	{ "openai", "gpt-3.5-turbo-1106", "2023-11-06", "gpt-35-turbo-1106",
	  { "1", "2", "", "", "" }, NULL },
	{ "openai", "gpt-3.5-turbo-0613", "2023-06-13",
	  "gpt-3.5-turbo-0301 gpt-35-turbo-0613 gpt-35-turbo-0301",
	  { "1.50", "2", "", "", "" }, NULL },
	{ "openai", "gpt-3.5-turbo-16k", "2023-06-13",
	  "gpt-3.5-turbo-16k-0613 gpt-35-turbo-16k gpt-35-turbo-16k-0613",
	  { "3", "4", "", "", "" }, NULL },
	{ "openai", "gpt-3.5-turbo-instruct", "2023-09-18",
	  "gpt-3.5-turbo-instruct-*",
	  { "1.50", "2", "", "", "" }, NULL },

	/* Google: the higher tier applies to prompts above 200k tokens. */
	{ "gemini", "gemini-3-pro-preview", "2025-11-18", "gemini-3-pro",
	  { "2", "12", "0.20", "", "" },
	  &(const struct builtin_tier){ 200000, { "4", "18", "0.40", "", "" } } },
	{ "gemini", "gemini-3.1-pro-preview", "2025-11-18", "gemini-3.1-pro",
	  { "2", "12", "0.20", "", "" },
	  &(const struct builtin_tier){ 200000, { "4", "18", "0.40", "", "" } } },
	{ "gemini", "gemini-3-flash-preview", "2025-11-18", "gemini-3-flash",
	  { "0.50", "3", "0.05", "", "" }, NULL },
	{ "gemini", "gemini-2.5-pro", "2025-06-17", "gemini-2.5-pro-preview*",
	  { "1.25", "10", "0.125", "", "" },
	  &(const struct builtin_tier){ 200000, { "2.50", "15", "0.25", "", "" } } },
	{ "gemini", "gemini-2.5-flash", "2025-06-17", "gemini-2.5-flash-preview*",
	  { "0.30", "2.50", "0.03", "", "" }, NULL },
	{ "gemini", "gemini-2.5-flash-lite", "2025-07-22", NULL,
	  { "0.10", "0.40", "0.01", "", "" }, NULL },
	{ "gemini", "gemini-2.0-flash", "2025-02-05", "gemini-2.0-flash-001",
	  { "0.10", "0.40", "0.025", "", "" }, NULL },

	/* Other models common on OpenRouter, by their vendors' prices. */
	{ "xai", "grok-4", "2025-07-09", "grok-4-0709",
	  { "3", "15", "0.75", "", "" }, NULL },
	{ "deepseek", "deepseek-chat", "2025-09-05", "deepseek-chat-v3*",
	  { "0.56", "1.68", "0.07", "", "" }, NULL },
	{ "deepseek", "deepseek-chat", "2025-09-29", "deepseek-chat-v3*",
	  { "0.28", "0.42", "0.028", "", "" }, NULL },
	/* Since V3.2 the reasoner costs what the chat model costs. */
	{ "deepseek", "deepseek-reasoner", "2025-09-29", NULL,
	  { "0.28", "0.42", "0.028", "", "" }, NULL },
	{ "xai", "grok-3-mini", "2025-04-03", "grok-3-mini-beta",
	  { "0.30", "0.50", "0.075", "", "" }, NULL },
	{ "groq", "llama-3.3-70b-versatile", "2024-12-06", NULL,
	  { "0.59", "0.79", "", "", "" }, NULL },
	{ "groq", "qwen/qwen3-32b", "2025-05-13", NULL,
	  { "0.29", "0.59", "", "", "" }, NULL },
	{ "mistral", "mistral-small-latest", "2025-03-17", NULL,
	  { "0.10", "0.30", "", "", "" }, NULL },
	{ "mistral", "magistral-medium", "2025-06-10", "magistral-medium-*",
	  { "2", "5", "", "", "" }, NULL },
	{ NULL, NULL, NULL, NULL, { NULL }, NULL },
};
