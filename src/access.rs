//! Which security level a user needs to get data (RFC 3415 §3.2, the part DQI uses now).
