// Package federation speaks ActivityPub for the portal: WebFinger and
// NodeInfo discovery, actor and object documents, signed deliveries through
// the durable job queue, and the inbox that checks and stores what other
// servers send.
//
// It translates between the timeline domain and ActivityStreams, and is the
// only package that imports an ActivityStreams vocabulary. It must not
// import web or cmd.
package federation
