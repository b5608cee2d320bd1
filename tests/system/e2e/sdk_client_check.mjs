// End to end through the official TypeScript SDK's Client and StdioClientTransport, the
// client most MCP hosts embed. Its callTool validates each answer's structuredContent
// against the tool's outputSchema and throws when they disagree, so calling every tool
// (in normal and compact form) checks every schema takt declares against what it sends.
// Usage: node sdk_client_check.mjs TAKT CONFIG      (takt started over stdio by the SDK)
//        node sdk_client_check.mjs http://HOST:PORT/mcp   (a takt serving Streamable HTTP)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [takt, config] = process.argv.slice(2);
const client = new Client({ name: "takt-e2e", version: "1.0.0" });
await client.connect(takt.startsWith("http://")
  ? new StreamableHTTPClientTransport(new URL(takt))
  : new StdioClientTransport({ command: takt, args: ["--config", config], stderr: "ignore" }));

let failures = 0;
const check = (what, ok, detail = "") => {
  console.log(`${ok ? "ok" : "FAIL"}: ${what}${ok ? "" : " " + detail}`);
  if (!ok) failures++;
};
const call = async (name, args) => {
  try {
    return await client.callTool({ name, arguments: args });
  } catch (e) {
    return { thrown: e.message };
  }
};

const { tools } = await client.listTools();
check("tools/list through the SDK", tools.length >= 20);
const added = await call("add_todo", { title: "Written by the SDK client", tags: ["Errand"], when: "today" });
check("add_todo validates against its outputSchema", !added.thrown && !added.isError, JSON.stringify(added));
const id = added.structuredContent?.id;
const projects = await call("get_projects", {});
const project = projects.structuredContent?.items?.[0]?.id;
// Every tool, writes included (in catalogue order: reads first), with arguments it accepts.
const argsFor = (tool) => {
  switch (tool.name) {
    case "get_headings": case "get_todos": return { project };
    case "get_item": return { id };
    case "search": return { query: "SDK" };
    case "add_todo": return { title: "Second SDK to-do", when: "evening", reminder: "18:00", checklist: ["a"] };
    case "add_project": return { title: "SDK project", todos: ["Step"] };
    case "add_heading": return { project, title: "SDK heading" };
    case "create_tag": return { title: "SDK tag" };
    case "create_area": return { title: "SDK area", tags: ["SDK tag"] };
    case "update_todo": return { id, title: "Renamed by the SDK", append_notes: "more", deadline: "2031-01-01" };
    case "update_project": return { id: project, append_notes: "by the SDK" };
    case "bulk_update": return { ids: [id], add_tags: ["SDK"] };
    case "move": return { ids: [id], list: "anytime" };
    case "complete": case "cancel": case "reopen": case "trash": case "restore": return { ids: [id] };
    case "add_tags": case "remove_tags": return { ids: [id, project], tags: ["SDK two"] };
    case "show": return { id: project };
    default: return {};
  }
};
for (const tool of tools) {
  const args = argsFor(tool);
  const r = await call(tool.name, args);
  if (tool.name === "add_heading") {
    // Things' AppleScript has no headings: refused as a tool error that says so.
    check("add_heading is refused, saying why", !r.thrown && r.isError && /heading/.test(r.content?.[0]?.text ?? ""),
          JSON.stringify(r).slice(0, 300));
    continue;
  }
  check(`${tool.name} validates against its outputSchema`, !r.thrown && !r.isError, JSON.stringify(r).slice(0, 300));
  if (tool.inputSchema?.properties?.compact) {
    const c = await call(tool.name, { ...args, compact: true });
    check(`${tool.name} (compact) validates against its outputSchema`, !c.thrown && !c.isError, JSON.stringify(c).slice(0, 300));
  }
}
// Resources, prompts and completion through the SDK's own methods (and its result schemas).
try {
  const { resources } = await client.listResources();
  check("resources/list through the SDK", resources.some((r) => r.uri === "things://lists/today"));
  const read = await client.readResource({ uri: "things://lists/today" });
  check("resources/read through the SDK", Array.isArray(JSON.parse(read.contents[0].text).items));
  const { resourceTemplates } = await client.listResourceTemplates();
  check("resources/templates/list through the SDK", resourceTemplates.length === 4);
  await client.subscribeResource({ uri: "things://lists/inbox" });
  await client.unsubscribeResource({ uri: "things://lists/inbox" });
  const { prompts } = await client.listPrompts();
  check("prompts/list through the SDK", prompts.length === 4);
  const done = await client.complete({ ref: { type: "ref/prompt", name: "review_project" },
                                       argument: { name: "project", value: "" } });
  check("completion/complete through the SDK", done.completion.values.length > 0);
  const prompt = await client.getPrompt({ name: "review_project", arguments: { project: done.completion.values[0] } });
  check("prompts/get through the SDK embeds the project", prompt.messages[1].content.type === "resource");
} catch (e) {
  check("resources, prompts and completion through the SDK", false, e.message);
}
const bad = await call("add_todo", { title: 7 });
check("arguments of the wrong type are a tool error naming the field", bad.isError && bad.content[0].text.includes("title"));
await client.close();
console.log(failures ? `sdk client: ${failures} check(s) failed` : "sdk client: all checks passed");
process.exit(failures ? 1 : 0);
