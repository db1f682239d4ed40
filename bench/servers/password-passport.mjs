import express from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { USERS, argon2Hash, argon2Verify, signToken } from './password-common.mjs';
import { ready } from './common.mjs';

const users = new Map();
for (const u of USERS) users.set(u.username, { id: u.username, username: u.username, hash: await argon2Hash(u.password) });
passport.use(new LocalStrategy(async (username, password, done) => {
  try {
    const user = users.get(username.trim().toLowerCase());
    if (!user || !(await argon2Verify(user.hash, password))) return done(null, false);
    return done(null, user);
  } catch (err) {
    return done(err);
  }
}));
const app = express();
app.use(express.json({ limit: '64kb' }));
app.use(passport.initialize());
app.post('/api/v1/users/auth/_login', passport.authenticate('local', { session: false }), (req, res) => {
  res.set('cache-control', 'no-store').json({ token: signToken(req.user.id), session_expiration_time: new Date(Date.now() + 28_800_000).toISOString() });
});
const server = app.listen(0, '127.0.0.1', () => ready(server.address().port));
