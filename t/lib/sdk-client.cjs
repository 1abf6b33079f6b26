// The official SDKs as clients of tally exec's proxy (t5420-proxy-sdk.sh).
// They read OPENAI_BASE_URL and ANTHROPIC_BASE_URL themselves; each call
// prints, as one JSON line, the id and the token counts the SDK reports,
// input normalised as tally counts it (Anthropic's cache reads and
// writes are input too).
const OpenAI = require("openai").default;
const Anthropic = require("@anthropic-ai/sdk").default;

const openai = new OpenAI({ apiKey: "sk-sdk-test-secret", maxRetries: 2 });
const anthropic = new Anthropic({ apiKey: "sk-ant-sdk-test-secret" });
const messages = [{ role: "user", content: "Say hello" }];

function say(call, id, input, output) {
  console.log(JSON.stringify({ call, id, input, output }));
}

function anthropicInput(u) {
  return u.input_tokens + (u.cache_creation_input_tokens || 0) +
    (u.cache_read_input_tokens || 0);
}

async function main() {
  // The upstream answers 429 first: the SDK waits and retries by itself.
  const chat = await openai.chat.completions.create({
    model: "gpt-4.1-nano", messages });
  say("openai chat", chat.id, chat.usage.prompt_tokens,
    chat.usage.completion_tokens);

  const stream = await openai.chat.completions.create({
    model: "gpt-4.1-nano", messages, stream: true,
    stream_options: { include_usage: true } });
  let id, usage;
  for await (const chunk of stream) {
    id = chunk.id;
    if (chunk.usage) usage = chunk.usage;
  }
  say("openai chat stream", id, usage.prompt_tokens,
    usage.completion_tokens);

  const resp = await openai.responses.create({
    model: "gpt-4.1", input: "Say hello" });
  say("openai responses", resp.id, resp.usage.input_tokens,
    resp.usage.output_tokens);

  const msg = await anthropic.messages.create({
    model: "claude-sonnet-4-5", max_tokens: 100, messages });
  say("anthropic", msg.id, anthropicInput(msg.usage), msg.usage.output_tokens);

  const final = await anthropic.messages.stream({
    model: "claude-sonnet-4-5", max_tokens: 100, messages }).finalMessage();
  say("anthropic stream", final.id, anthropicInput(final.usage),
    final.usage.output_tokens);
}

main().catch((e) => { console.error(e); process.exit(1); });
