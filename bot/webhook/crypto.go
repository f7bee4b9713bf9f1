package webhook

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// signature is what Lark puts in X-Lark-Signature, before hex encoding:
// sha256(timestamp + nonce + encryptKey + body) over the raw body bytes.
// [docs/lark.md §4]
func signature(timestamp, nonce string, key, body []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(timestamp))
	h.Write([]byte(nonce))
	h.Write(key)
	h.Write(body)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// validSignature reports whether got is the hex signature of the request,
// comparing the digests in constant time.
func validSignature(got, timestamp, nonce string, key, body []byte) bool {
	if len(got) != hex.EncodedLen(sha256.Size) {
		return false
	}
	var gotSum [sha256.Size]byte
	if _, err := hex.Decode(gotSum[:], []byte(got)); err != nil {
		return false
	}
	want := signature(timestamp, nonce, key, body)
	return hmac.Equal(gotSum[:], want[:])
}

// envelope is the part of a decrypted body the guard needs: the token and,
// for url_verification, the challenge. 2.0 envelopes carry the token in
// header.token; 1.0 events and url_verification at the top level.
type envelope struct {
	Type      string `json:"type"`
	Token     string `json:"token"`
	Challenge string `json:"challenge"`
	Header    *struct {
		Token string `json:"token"`
	} `json:"header"`
}

// token returns the verification token the body carries, as the SDK reads
// it.
func (e envelope) token() string {
	if e.Header != nil {
		return e.Header.Token
	}
	return e.Token
}

// isChallenge reports whether the body is a url_verification request.
func (e envelope) isChallenge() bool { return e.Type == "url_verification" }

// openBody decrypts a {"encrypt": "…"} body and parses the envelope. Unlike
// the SDK it checks the PKCS7 padding, so a damaged ciphertext is an error
// rather than whatever lies between the first { and the last }.
func openBody(encryptKey string, body []byte) (envelope, error) {
	var wrapped struct {
		Encrypt string `json:"encrypt"`
	}
	if err := json.Unmarshal(body, &wrapped); err != nil {
		return envelope{}, fmt.Errorf("parse encrypted body: %w", err)
	}
	if wrapped.Encrypt == "" {
		return envelope{}, errors.New("body is not encrypted")
	}
	plain, err := decrypt(encryptKey, wrapped.Encrypt)
	if err != nil {
		return envelope{}, err
	}
	var env envelope
	if err := json.Unmarshal(plain, &env); err != nil {
		return envelope{}, fmt.Errorf("parse decrypted body: %w", err)
	}
	return env, nil
}

// decrypt reverses Lark's encryption: base64(iv ‖ AES-256-CBC(sha256(key),
// PKCS7(plain))). [docs/lark.md §4]
func decrypt(encryptKey, encrypted string) ([]byte, error) {
	buf, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	if len(buf) < 2*aes.BlockSize || len(buf)%aes.BlockSize != 0 {
		return nil, errors.New("decrypt: ciphertext is not whole blocks after the IV")
	}
	key := sha256.Sum256([]byte(encryptKey))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	data := buf[aes.BlockSize:]
	cipher.NewCBCDecrypter(block, buf[:aes.BlockSize]).CryptBlocks(data, data)
	pad := int(data[len(data)-1])
	if pad < 1 || pad > aes.BlockSize || !bytes.Equal(data[len(data)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, errors.New("decrypt: bad padding")
	}
	return data[:len(data)-pad], nil
}
