//! Password to key and localization (RFC 3414 §2.6, A.2). SKELETON: the USM helper replaces this.
