import { STORY } from './common.js';

/**
 * A `fetch` for the OpenAI client that answers Chat Completions as the API would, scripted: the first
 * call asks for the lookup tool, the second answers. No network.
 */
export function fakeOpenAiFetch(): typeof fetch {
  let call = 0;
  return async (_input, _init) => {
    const usage = STORY.calls[call] ?? STORY.calls[0];
    const first = call === 0;
    call += 1;
    const message = first
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: STORY.tool, arguments: JSON.stringify(STORY.toolArgs) },
            },
          ],
        }
      : { role: 'assistant', content: STORY.answer };
    const body = {
      id: `chatcmpl-${call}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: STORY.responseModel,
      choices: [{ index: 0, message, finish_reason: first ? 'tool_calls' : 'stop', logprobs: null }],
      usage: {
        prompt_tokens: usage.input,
        completion_tokens: usage.output,
        total_tokens: usage.input + usage.output,
      },
    };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  };
}
