//! `timl usersig`: a UserSig signed with the secret key, on standard output.

use super::config::UsersigConfig;
use super::input::write_stdout;
use super::outcome::Outcome;
use super::send::environment;
use crate::error::Error;
use crate::send::config_file::config_paths;
use crate::send::credentials::{self, Auth};
use crate::send::usersig;

/// `timl usersig`.
pub(super) fn usersig(config: UsersigConfig) -> Result<Outcome, Error> {
    let credentials = credentials::resolve(&config.credentials, &environment, &config_paths())?;
    let Auth::SecretKey(key) = &credentials.auth else {
        return Err(Error::Usage(
            "`timl usersig` signs with the secret key: pass --secret-key-file or set TIM_SECRET_KEY".to_owned(),
        ));
    };
    let usersig = usersig::sign(
        key.expose(),
        credentials.sdkappid,
        &credentials.identifier,
        usersig::now(),
        config.expire,
    );
    write_stdout(format!("{usersig}\n").as_bytes())?;
    Ok(Outcome::Success)
}
