//! Wing–Gong style linearizability checker (to be written).
